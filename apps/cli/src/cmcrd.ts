import { exitQuietlyOnClosedPipe } from '@cmcrd/runner/cli';
import { main } from './main.js';

// The one entry of the `cmcrd` command (bin/cmcrd.js imports its build; tests run this file with tsx).
exitQuietlyOnClosedPipe();
main(process.argv).then((code) => {
  process.exitCode = code;
});
