/**
 * `npm run model:fetch`: gets Keras' own InceptionV3 ImageNet weights (the file
 * `InceptionV3(weights='imagenet')` downloads), checks its MD5, converts it without Python into
 * a TensorFlow.js layers model and writes it to public/models/inception-v3/ (model.json, shards,
 * metadata.json with labels, input size and range, source, licence and a SHA-256 per shard).
 *
 *   npm run model:fetch [-- options]
 *     --quantize float32|float16|uint8   weight precision (default: see DEFAULT_PRECISION)
 *     --from <file.h5>                   convert a local Keras weight file instead of downloading
 *     --md5 <hash>                       the MD5 the file must have (default: Keras' for downloads)
 *     --notop                            the file without the classifier (a feature extractor)
 *     --url <url>                        download from here instead of Keras' storage and mirror
 *     --out <dir>                        output folder (default public/models/inception-v3)
 *     --force                            convert even when the output is present and verified
 *     --check                            only verify the output folder
 *     --optional                         never fail (npm start: go on without the weights)
 *     --connect-timeout <ms>             how long a server may take to answer (default 15000)
 *     --model <name>|all                 another zoo model (src/models/zoo/zoo.ts), or every one:
 *                                        Keras' own .h5 into public/models/<name>/ (InceptionV3
 *                                        stays in public/models/inception-v3/); each file's size
 *                                        is stated before anything downloads
 *
 * Exit codes: 0 done or up to date; 2 bad arguments; 3 the network or server is unreachable;
 * 4 a hash differs; 5 the file is not usable InceptionV3 weights; 1 anything else.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_PRECISION,
  isWeightPrecision,
  type WeightPrecision,
} from '../src/models/tfjs-artifacts';
import {
  isZooModelName,
  ZOO_MODEL_NAMES,
  zooEntry,
  type ZooModelName,
} from '../src/models/zoo/zoo';
import { DownloadError, downloadFile, fileDigest } from './model-download';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');

/** One of Keras' InceptionV3 weight files. */
export interface KerasWeightsSource {
  file: string;
  /** null where Keras' source gives none (MobileNet v1 and v2): the file is then not checked */
  md5: string | null;
  urls: string[];
}

const KERAS_BASE = 'https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/';
const MIRROR_BASE = 'https://github.com/fchollet/deep-learning-models/releases/download/v0.5/';

/** What `keras.applications.InceptionV3(weights='imagenet')` downloads, with and without the top. */
export const KERAS_INCEPTION_V3: Record<'top' | 'notop', KerasWeightsSource> = {
  top: {
    file: 'inception_v3_weights_tf_dim_ordering_tf_kernels.h5',
    md5: '9a0d58056eeedaa3f26cb7ebd46da564',
    urls: [],
  },
  notop: {
    file: 'inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5',
    md5: 'bcbd6486424b2319ff4ef7d526e38f63',
    urls: [],
  },
};
for (const source of Object.values(KERAS_INCEPTION_V3)) {
  source.urls = [KERAS_BASE + source.file, MIRROR_BASE + source.file];
}

/** Exit codes (see the file comment). */
export const EXIT = { ok: 0, failed: 1, usage: 2, offline: 3, hash: 4, badFile: 5 } as const;

class FetchFailure extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

interface Options {
  precision: WeightPrecision;
  from: string | null;
  md5: string | null;
  notop: boolean;
  url: string | null;
  out: string;
  force: boolean;
  check: boolean;
  optional: boolean;
  connectTimeoutMs: number;
  /** zoo models to fetch (default: InceptionV3 alone) */
  models: ZooModelName[];
  /** --out was given */
  outGiven: boolean;
}

function parseArgs(argv: string[]): Options {
  const options: Options = {
    precision: DEFAULT_PRECISION,
    from: null,
    md5: null,
    notop: false,
    url: null,
    out: join(ROOT, 'public', 'models', 'inception-v3'),
    force: false,
    check: false,
    optional: false,
    connectTimeoutMs: 15_000,
    models: ['inceptionv3'],
    outGiven: false,
  };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--'))
      throw new FetchFailure(`${flag} needs a value`, EXIT.usage);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    switch (arg) {
      case '--quantize': {
        const v = value(i++, arg);
        const p = v === 'none' ? 'float32' : v;
        if (!isWeightPrecision(p)) {
          throw new FetchFailure(
            `--quantize takes float32, float16 or uint8, not ${v}`,
            EXIT.usage,
          );
        }
        options.precision = p;
        break;
      }
      case '--from':
        options.from = resolve(value(i++, arg));
        break;
      case '--md5':
        options.md5 = value(i++, arg).toLowerCase();
        break;
      case '--url':
        options.url = value(i++, arg);
        break;
      case '--out':
        options.out = resolve(value(i++, arg));
        options.outGiven = true;
        break;
      case '--model': {
        const v = value(i++, arg).toLowerCase();
        if (v === 'all') options.models = [...ZOO_MODEL_NAMES];
        else if (isZooModelName(v)) options.models = [v];
        else {
          throw new FetchFailure(
            `--model takes all or one of ${ZOO_MODEL_NAMES.join(', ')}, not ${v}`,
            EXIT.usage,
          );
        }
        break;
      }
      case '--connect-timeout':
        options.connectTimeoutMs = Number(value(i++, arg));
        if (!(options.connectTimeoutMs > 0))
          throw new FetchFailure(`${arg} takes milliseconds`, EXIT.usage);
        break;
      case '--notop':
        options.notop = true;
        break;
      case '--force':
        options.force = true;
        break;
      case '--check':
        options.check = true;
        break;
      case '--optional':
        options.optional = true;
        break;
      case '--help':
      case '-h':
        throw new FetchFailure('see the comment at the top of scripts/model-fetch.ts', EXIT.usage);
      default:
        throw new FetchFailure(`unknown argument ${arg}`, EXIT.usage);
    }
  }
  return options;
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Finds or downloads the Keras file, verified; returns its path and where it came from. */
async function obtainKerasFile(
  options: Options,
  wanted: KerasWeightsSource,
  what: string,
  log: (line: string) => void,
): Promise<{ path: string; url: string }> {
  const expectedMd5 = options.md5 ?? wanted.md5;
  const urls = options.url ? [options.url] : wanted.urls;
  // Keras' own cache first: someone who ran the Python seed already has the file.
  const cacheDir = join(ROOT, 'node_modules', '.cache', 'inception-lens');
  const candidates = options.url
    ? []
    : [join(homedir(), '.keras', 'models', wanted.file), join(cacheDir, wanted.file)];
  for (const path of candidates) {
    if (existsSync(path) && expectedMd5 && (await fileDigest(path, 'md5')) === expectedMd5) {
      log(`using ${path} (MD5 ${expectedMd5} verified)`);
      return { path, url: urls[0]! };
    }
  }
  mkdirSync(cacheDir, { recursive: true });
  const dest = join(
    cacheDir,
    options.url ? basename(new URL(options.url).pathname) || 'weights.h5' : wanted.file,
  );
  const failures: string[] = [];
  let offline = true;
  for (const url of urls) {
    log(`downloading ${url}`);
    let shown = -1;
    try {
      await downloadFile(url, dest, {
        connectTimeoutMs: options.connectTimeoutMs,
        onProgress: (received, total) => {
          const pct = total ? Math.floor((received / total) * 10) * 10 : -1;
          if (pct > shown) {
            shown = pct;
            log(`  ${mb(received)}${total ? ` of ${mb(total)} (${pct}%)` : ''}`);
          }
        },
      });
    } catch (error) {
      if (!(error instanceof DownloadError)) throw error;
      failures.push(error.message);
      offline &&= error.offline;
      continue;
    }
    const md5 = await fileDigest(dest, 'md5');
    if (expectedMd5 === null) {
      log(`Keras gives no MD5 for ${wanted.file}; recorded ${md5}`);
      return { path: dest, url };
    }
    if (md5 !== expectedMd5) {
      rmSync(dest, { force: true });
      throw new FetchFailure(
        `MD5 mismatch for ${url}: the downloaded file has ${md5}, Keras' ${wanted.file} has ` +
          `${expectedMd5}. The file was deleted; nothing was written.`,
        EXIT.hash,
      );
    }
    log(`MD5 ${md5} verified`);
    return { path: dest, url };
  }
  throw new FetchFailure(
    `could not download the ${what} weights:\n  ${failures.join('\n  ')}\n` +
      (offline ? 'This machine seems to be offline. ' : '') +
      `Get ${wanted.file} elsewhere (Keras keeps it in ~/.keras/models/) and run\n` +
      `  npm run model:fetch -- ${what === 'InceptionV3' ? '' : `--model ${options.models[0]} `}--from <path to ${wanted.file}>`,
    offline ? EXIT.offline : EXIT.failed,
  );
}

/** Keras' weight file of a zoo model (InceptionV3's with its GitHub mirror). */
function kerasSource(model: ZooModelName, notop: boolean): KerasWeightsSource {
  if (model === 'inceptionv3') return KERAS_INCEPTION_V3[notop ? 'notop' : 'top'];
  const file = zooEntry(model).weights[notop ? 'noTop' : 'top'];
  return { file: file.fileName, md5: file.md5, urls: [file.url] };
}

/** Where a zoo model goes by default: public/models/<name>/ (InceptionV3: inception-v3/). */
export function defaultOutDir(model: ZooModelName): string {
  return join(ROOT, 'public', 'models', model === 'inceptionv3' ? 'inception-v3' : model);
}

/** The size Keras' documentation gives, as a sentence part. */
function sizeText(model: ZooModelName, notop: boolean): string {
  const size = zooEntry(model).sizeMB;
  if (size === null) return 'size not published by Keras';
  return notop ? `${size} MB with the top (less without it)` : `${size} MB`;
}

/** Runs the command; returns the exit code. */
export async function run(
  argv: string[],
  log: (line: string) => void = console.log,
): Promise<number> {
  let options: Options | null = null;
  try {
    options = parseArgs(argv);
    if (
      options.models.length > 1 &&
      (options.from || options.url || options.outGiven || options.md5)
    ) {
      throw new FetchFailure('--model all takes no --from, --url, --md5 or --out', EXIT.usage);
    }
    const asked = options.models.length > 1 || options.models[0] !== 'inceptionv3';
    if (asked && !options.check) {
      // Sizes first: VGG16 alone is 528 MB.
      log(`Keras' weight files to get (${options.notop ? 'without' : 'with'} the top):`);
      for (const model of options.models) {
        const source = kerasSource(model, options.notop);
        log(`  ${model}: ${source.file}, ${sizeText(model, options.notop)}`);
      }
      const known = options.models.map((m) => zooEntry(m).sizeMB ?? 0);
      if (options.models.length > 1 && !options.notop) {
        log(`  in all about ${known.reduce((a, b) => a + b, 0)} MB (plus the unpublished sizes)`);
      }
    }
    for (const model of options.models) {
      const one = { ...options, out: options.outGiven ? options.out : defaultOutDir(model) };
      const code = await runOne(one, model, log);
      if (code !== EXIT.ok) return code;
    }
    return EXIT.ok;
  } catch (error) {
    return failed(error, options);
  }
}

/** Reports a failure; returns the exit code (0 with --optional). */
function failed(error: unknown, options: Options | null): number {
  const code = error instanceof FetchFailure ? error.code : EXIT.failed;
  const message = error instanceof Error ? error.message : String(error);
  console.error(`model:fetch: ${message}`);
  if (options?.optional) {
    console.error(
      'model:fetch: going on without the InceptionV3 weights; the page explains how to add them ' +
        '(or open a model of your own in it).',
    );
    return EXIT.ok;
  }
  return code;
}

/** Fetches, converts and checks one zoo model; returns the exit code. */
async function runOne(
  options: Options,
  modelName: ZooModelName,
  log: (line: string) => void,
): Promise<number> {
  const entry = zooEntry(modelName);
  try {
    const { verifyModelFolder, readMetadata } = await import('./model-convert');
    const wanted = kerasSource(modelName, options.notop);

    const problem = existsSync(options.out) ? await verifyModelFolder(options.out) : 'absent';
    if (options.check) {
      if (problem) throw new FetchFailure(`${options.out}: ${problem}`, EXIT.hash);
      log(`${options.out}: every shard matches its SHA-256 in metadata.json`);
      return EXIT.ok;
    }
    let fromMd5: string | null = null;
    if (options.from) {
      if (!existsSync(options.from))
        throw new FetchFailure(`${options.from} does not exist`, EXIT.usage);
      fromMd5 = await fileDigest(options.from, 'md5');
      if (options.md5 && fromMd5 !== options.md5) {
        throw new FetchFailure(
          `MD5 mismatch: ${options.from} has ${fromMd5}, expected ${options.md5}`,
          EXIT.hash,
        );
      }
    }
    if (!problem && !options.force) {
      const metadata = readMetadata(options.out);
      const sourceMd5 = fromMd5 ?? options.md5 ?? wanted.md5;
      const sameFile =
        sourceMd5 !== null
          ? metadata?.source?.md5 === sourceMd5
          : metadata?.source?.file === wanted.file;
      if (sameFile && metadata?.precision === options.precision) {
        log(
          `${options.out} is up to date (${options.precision}, source MD5 ${sourceMd5}, shards verified)`,
        );
        return EXIT.ok;
      }
    } else if (problem !== 'absent' && problem) {
      log(`${options.out} needs rebuilding: ${problem}`);
    }

    let h5Path: string;
    let url: string | undefined;
    if (options.from) {
      h5Path = options.from;
      const known = Object.values(KERAS_INCEPTION_V3).find((s) => s.md5 === fromMd5);
      log(
        `converting ${h5Path} (MD5 ${fromMd5}${known ? `: Keras' ${known.file}` : ", not one of Keras' files"})`,
      );
    } else {
      ({ path: h5Path, url } = await obtainKerasFile(options, wanted, entry.displayName, log));
    }
    const md5 = fromMd5 ?? (await fileDigest(h5Path, 'md5'));
    const { convertKerasFile } = await import('./model-convert');
    const { WeightFileError } = await import('../src/models/keras-h5');
    let report;
    try {
      report = await convertKerasFile({
        h5Path,
        outDir: options.out,
        precision: options.precision,
        model: modelName,
        source: {
          kind: 'keras-h5',
          file: basename(h5Path),
          ...(url ? { url } : {}),
          md5,
          sha256: await fileDigest(h5Path, 'sha256'),
        },
        log,
      });
    } catch (error) {
      if (error instanceof WeightFileError) throw new FetchFailure(error.message, EXIT.badFile);
      throw error;
    }
    const total = report.files.reduce((a, f) => a + f.bytes, 0);
    log(
      `wrote ${report.outDir}: ${entry.displayName} ${report.includeTop ? `with a ${report.classes}-class top` : 'without the top'}, ` +
        `${report.precision}, ${report.files.length} files, ${mb(total)}; reloaded and compared: ` +
        `max |diff| ${report.maxDiff.toExponential(2)}, top-1 ${report.top1Same ? 'same' : 'DIFFERENT'}`,
    );
    return EXIT.ok;
  } catch (error) {
    return failed(error, options);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(EXIT.failed);
    },
  );
}
