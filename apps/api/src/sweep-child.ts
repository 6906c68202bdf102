import { main } from '@cmcrd/runner/cli';

// The process `POST /api/experiments` starts: `cmcrd sweep <file> …` with the arguments the API
// passes (sweep-control.ts). A child's entry like sweep-check-child.ts, not a user's command: the
// user's `cmcrd` is assembled in apps/cli.
main(process.argv).then((code) => {
  process.exitCode = code;
});
