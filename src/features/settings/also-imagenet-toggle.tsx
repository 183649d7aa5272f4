import { withoutImageNet } from '../../lib/comparison-model';

/** Props of {@link AlsoImageNetToggle}. */
export interface AlsoImageNetToggleProps {
  checked: boolean;
  onChange: (checked: boolean) => void;
  /** the active (custom) model's name */
  activeName: string;
  /** the ImageNet model that would run next to it */
  imagenetName: string;
  /** false when that ImageNet model cannot load here: the choice is not offered */
  available: boolean;
  /** how many classes the custom model knows */
  numClasses: number;
}

/**
 * Shown while a custom model (not an ImageNet classifier) is active: says that it only knows its
 * own classes and, when an ImageNet model can load, offers to run it on each photo too and show
 * its top-3 under the custom one.
 */
export function AlsoImageNetToggle(props: AlsoImageNetToggleProps) {
  const imagenet = withoutImageNet(props.imagenetName);
  return (
    <div className="also-toggle">
      <p className="muted" data-testid="custom-model-hint">
        {props.activeName} only knows its own {props.numClasses} classes: every photo gets one of
        them, even a photo of something else.
      </p>
      {props.available && (
        <p>
          <label>
            <input
              type="checkbox"
              data-testid="also-imagenet"
              checked={props.checked}
              onChange={(event) => props.onChange(event.target.checked)}
            />{' '}
            Also show ImageNet&rsquo;s top-3 (from {imagenet}) next to {props.activeName}&rsquo;s
          </label>
          <span className="muted">
            {' '}
            — a second model runs on each new photo, so photos take longer.
          </span>
        </p>
      )}
    </div>
  );
}
