/** The app's single inference client, created on first use (safe under React StrictMode). */
import { createInferenceWorker, InferenceClient } from '../inference/client';

let client: InferenceClient | null = null;

/** Returns the shared client, creating it (not yet its worker) the first time. */
export function getInferenceClient(): InferenceClient {
  client ??= new InferenceClient(createInferenceWorker);
  return client;
}
