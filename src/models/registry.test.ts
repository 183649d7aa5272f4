import { describe, expect, test } from 'vitest';
import {
  entryFromSearch,
  INCEPTION_V3_IMAGENET,
  MODEL_REGISTRY,
  modelNameFromUrl,
  parseRange,
  zooModelEntry,
} from './registry';
import { ZOO_MODEL_NAMES, zooFacts } from './zoo/catalog';

const PAGE = 'https://lens.example.test/app/index.html';

describe('entryFromSearch', () => {
  test('no ?model= gives the default registry entry (InceptionV3, 299, [-1, 1], ImageNet)', () => {
    for (const search of ['', '?', '?range=0,1', '?other=1', '?model=']) {
      const entry = entryFromSearch(search, PAGE);
      expect(entry).toEqual({
        ...INCEPTION_V3_IMAGENET,
        url: 'https://lens.example.test/app/models/inception-v3/model.json',
      });
      expect(MODEL_REGISTRY[0]).toBe(INCEPTION_V3_IMAGENET);
    }
    expect(INCEPTION_V3_IMAGENET.inputSize).toBe(299);
    expect(INCEPTION_V3_IMAGENET.inputRange).toEqual([-1, 1]);
    expect(INCEPTION_V3_IMAGENET.labels).toEqual({ kind: 'imagenet' });
    expect(INCEPTION_V3_IMAGENET.labelOffset).toBe(0);
  });

  test('the default entry URL is made absolute against the page, like ?model=', () => {
    expect(entryFromSearch('', PAGE).url).toBe(
      'https://lens.example.test/app/models/inception-v3/model.json',
    );
  });

  test('?model= with a relative URL is resolved against the page', () => {
    const entry = entryFromSearch('?model=models/my-net/model.json', PAGE);
    expect(entry.url).toBe('https://lens.example.test/app/models/my-net/model.json');
    expect(entry.id).toBe('url:https://lens.example.test/app/models/my-net/model.json');
    expect(entry.name).toBe('my-net');
    expect(entry.inputSize).toBeNull();
    expect(entry.inputRange).toEqual([-1, 1]);
    expect(entry.labels).toEqual({ kind: 'auto' });
    expect(entry.labelOffset).toBe(0);
    expect(entry.missingHint).toBeUndefined();
  });

  test('?model= with a root-relative URL keeps the page origin', () => {
    expect(entryFromSearch('?model=/shared/models/m/model.json', PAGE).url).toBe(
      'https://lens.example.test/shared/models/m/model.json',
    );
  });

  test('?model= with an absolute (percent-encoded) URL is used as is', () => {
    const url = 'http://127.0.0.1:9000/shared/models/mobilenet_v1_0.75_224/model.json';
    const entry = entryFromSearch(`?model=${encodeURIComponent(url)}`, PAGE);
    expect(entry.url).toBe(url);
    expect(entry.id).toBe(`url:${url}`);
    expect(entry.name).toBe('mobilenet_v1_0.75_224');
  });

  test('&range=0,1 sets the input range', () => {
    const entry = entryFromSearch('?model=net/model.json&range=0,1', PAGE);
    expect(entry.inputRange).toEqual([0, 1]);
    expect(entryFromSearch('?range=-1,1&model=net/model.json', PAGE).inputRange).toEqual([-1, 1]);
    expect(entryFromSearch('?model=net/model.json&range=0%2C255', PAGE).inputRange).toEqual([
      0, 255,
    ]);
  });

  test.each(['0', '0,1,2', 'a,b', '1,1', '0,Infinity', ''])(
    'a malformed range %j falls back to [-1, 1]',
    (range) => {
      const entry = entryFromSearch(`?model=net/model.json&range=${range}`, PAGE);
      expect(entry.inputRange).toEqual([-1, 1]);
    },
  );
});

describe('parseRange', () => {
  test('parses two numbers, with spaces and signs', () => {
    expect(parseRange('0,1')).toEqual([0, 1]);
    expect(parseRange(' -1 , 1 ')).toEqual([-1, 1]);
    expect(parseRange('0,255')).toEqual([0, 255]);
    expect(parseRange('1.5,-2.5')).toEqual([1.5, -2.5]);
  });

  test.each([null, '', '1', '0,1,2', 'x,1', '1,NaN', '2,2', '-Infinity,0', '0;1'])(
    'returns null for %j',
    (text) => {
      expect(parseRange(text)).toBeNull();
    },
  );

  test('an empty half is malformed', () => {
    expect(parseRange(',1')).toBeNull();
    expect(parseRange('2,')).toBeNull();
  });
});

describe('modelNameFromUrl', () => {
  test('is the folder that holds model.json', () => {
    expect(modelNameFromUrl('https://h.test/models/inception/model.json')).toBe('inception');
    expect(modelNameFromUrl('https://h.test/a/b/Model.JSON')).toBe('b');
    expect(modelNameFromUrl('https://h.test/a/b/model.json?v=3#x')).toBe('b');
  });

  test('percent-escapes in the folder name are decoded', () => {
    expect(modelNameFromUrl('https://h.test/models/my%20net/model.json')).toBe('my net');
  });

  test('a URL without a .json file is named by its last segment', () => {
    expect(modelNameFromUrl('https://h.test/models/net')).toBe('net');
    expect(modelNameFromUrl('https://h.test/models/net/')).toBe('net');
  });

  test('with no folder at all it falls back to the URL', () => {
    expect(modelNameFromUrl('https://h.test/model.json')).toBe('https://h.test/model.json');
    expect(modelNameFromUrl('https://h.test/')).toBe('https://h.test/');
  });

  test('a folder name with a stray % does not throw', () => {
    expect(modelNameFromUrl('https://h.test/50%off/model.json')).toBe('50%off');
  });
});

describe('?model=<zoo name>', () => {
  test.each(ZOO_MODEL_NAMES.filter((n) => n !== 'inceptionv3'))(
    '%s opens models/<name>/model.json with its own size and preprocess mode',
    (name) => {
      const entry = entryFromSearch(`?model=${name}`, PAGE);
      const facts = zooFacts(name);
      expect(entry.url).toBe(`https://lens.example.test/app/models/${name}/model.json`);
      expect(entry.zoo).toEqual({ name, randomWeights: false });
      expect(entry.inputSize).toBe(facts.inputSize);
      expect(entry.preprocess).toBe(facts.preprocess);
      expect(entry.labels).toEqual({ kind: 'imagenet' });
      expect(entry.loadError).toBeUndefined();
      expect(entry.missingHint).toContain(`--model ${name}`);
    },
  );

  test('inceptionv3 is the built-in InceptionV3 (models/inception-v3/ stays where it is)', () => {
    const entry = entryFromSearch('?model=inceptionv3', PAGE);
    expect(entry.id).toBe(INCEPTION_V3_IMAGENET.id);
    expect(entry.url).toBe('https://lens.example.test/app/models/inception-v3/model.json');
  });

  test('&weights=random builds the architecture instead of downloading', () => {
    const entry = entryFromSearch('?model=resnet50&weights=random', PAGE);
    expect(entry.zoo).toEqual({ name: 'resnet50', randomWeights: true });
    expect(entry.id).toBe('zoo:resnet50:random');
    expect(entry.url).toBe('zoo://resnet50/random');
    expect(entry.name).toBe('ResNet50 (random weights)');
    expect(entry.preprocess).toBe('caffe');
    expect(entry.missingHint).toBeUndefined();
    expect(entryFromSearch('?model=inceptionv3&weights=random', PAGE).zoo?.randomWeights).toBe(
      true,
    );
  });

  test.each(['resnet', 'MobileNet-0.3', 'inception-v3', 'vgg19'])(
    'an unknown name %j is an error at once, naming the zoo',
    (name) => {
      const entry = entryFromSearch(`?model=${name}`, PAGE);
      expect(entry.loadError).toMatch(/no model called/);
      expect(entry.loadError).toContain('mobilenetv2');
      expect(entry.name).toBe(name);
    },
  );

  test('an unknown weights= value is refused; model.json names are still addresses', () => {
    expect(entryFromSearch('?model=vgg16&weights=bogus', PAGE).loadError).toMatch(/weights=random/);
    expect(entryFromSearch('?model=model.json', PAGE).url).toBe(
      'https://lens.example.test/app/model.json',
    );
  });

  test('zooModelEntry: ids differ for random and ImageNet weights', () => {
    expect(zooModelEntry('mobilenet-0.75').id).not.toBe(zooModelEntry('mobilenet-0.75', true).id);
  });
});
