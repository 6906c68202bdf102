export {
  type Api,
  type AppOptions,
  createApi,
  createApp,
  type HealthBody,
  type NotFoundBody,
  version,
} from './app.js';
export { type ServerHandle, type StartServerOptions, startServer } from './server.js';
export { registerServeCommand, type StartWithDashboard } from './serve-command.js';
export { type SweepCheck, SweepController, SweepRequestError, type SweepRunner } from './sweep-control.js';
