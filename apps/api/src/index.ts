export { type AppOptions, createApp, type HealthBody, type NotFoundBody, version } from './app.js';
export { type ServerHandle, type StartServerOptions, startServer } from './server.js';
