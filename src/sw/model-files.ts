/** Which requests are model files, and the cache names the service worker and page share. */

/** Runtime cache for model files (model.json, metadata.json, weight shards). */
export const MODEL_CACHE = 'lens-models-v1';
/** Where the service worker parks photos shared to the installed app until the page takes them. */
export const SHARE_CACHE = 'lens-shared-v1';
/** Path (relative to the scope) the manifest's share target posts to. */
export const SHARE_ACTION = 'share-target';

/** True for the files of a TensorFlow.js model: model.json, metadata.json and weight shards. */
export function isModelFile(pathname: string): boolean {
  return (
    /(^|\/)(model|metadata)\.json$/.test(pathname) ||
    /\.bin$/.test(pathname) ||
    /(^|\/)group\d+-shard\d+of\d+(\.bin)?$/.test(pathname)
  );
}

/** The folder URL a model file lives in (its siblings are the same model version). */
export function folderOf(url: string): string {
  return new URL('./', url).href;
}

interface ManifestGroup {
  paths?: unknown;
}

/** The URLs of a model's files: model.json and every weight shard its manifest names. */
export function modelFileUrls(modelUrl: string, modelJson: unknown): string[] {
  const groups = (modelJson as { weightsManifest?: ManifestGroup[] } | null)?.weightsManifest;
  if (!Array.isArray(groups)) throw new Error('model.json has no weightsManifest');
  const paths = groups.flatMap((g) => (Array.isArray(g.paths) ? (g.paths as unknown[]) : []));
  return [modelUrl, ...paths.map((p) => new URL(String(p), modelUrl).href)];
}
