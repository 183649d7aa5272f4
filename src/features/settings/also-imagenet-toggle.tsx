/** Props of {@link AlsoImageNetToggle}. */
export interface AlsoImageNetToggleProps {
  checked: boolean;
  onChange: (checked: boolean) => void;
  /** the active (custom) model's name */
  activeName: string;
  /** the ImageNet model that would run next to it */
  imagenetName: string;
}

/**
 * Shown while a custom model (not an ImageNet classifier) is active: also run the ImageNet model
 * on each photo and show its top-3 under the custom one.
 */
export function AlsoImageNetToggle(props: AlsoImageNetToggleProps) {
  return (
    <p className="also-toggle">
      <label>
        <input
          type="checkbox"
          data-testid="also-imagenet"
          checked={props.checked}
          onChange={(event) => props.onChange(event.target.checked)}
        />{' '}
        Also show ImageNet&rsquo;s top-3 ({props.imagenetName}) next to {props.activeName}&rsquo;s
      </label>
      <span className="muted">
        {' '}
        — a second model runs on each new photo, so photos take longer.
      </span>
    </p>
  );
}
