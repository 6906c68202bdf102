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
export { SweepController, SweepRequestError } from './sweep-control.js';
