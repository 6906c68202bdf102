import { z } from 'zod';

/**
 * A JSON value. Used only where the value is open by design: a method's options (each plugin
 * declares its own), a fold's stored configuration, a training setting's values.
 */
export const JsonValueSchema = z.json();
export type JsonValue = z.infer<typeof JsonValueSchema>;

/** A JSON object: keys to JSON values. */
export const JsonObjectSchema = z.record(z.string(), JsonValueSchema);
export type JsonObject = z.infer<typeof JsonObjectSchema>;
