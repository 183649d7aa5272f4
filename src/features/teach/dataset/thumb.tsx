import { useEffect, useState } from 'react';
import { getThumb } from './dataset-db';

/** A dataset photo's thumbnail, read from IndexedDB while shown (its object URL revoked after). */
export function Thumb({ hash, alt }: { hash: string; alt: string }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    let made: string | null = null;
    getThumb(hash)
      .then((blob) => {
        if (!live || !blob) return;
        made = URL.createObjectURL(blob);
        setUrl(made);
      })
      .catch(() => undefined);
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [hash]);
  return url ? (
    <img className="dataset-thumb" src={url} alt={alt} width={48} height={48} />
  ) : (
    <span className="dataset-thumb dataset-thumb--none" aria-hidden="true" />
  );
}
