import { useEffect, useRef, useState } from 'react';

/** Props of {@link ConfirmButton}. */
export interface ConfirmButtonProps {
  /** the button's text, e.g. "Delete" */
  children: string;
  /** its accessible name when the text alone is ambiguous, e.g. "Delete cats" */
  label?: string;
  /** the question asked before acting, e.g. "Delete cats for good?" */
  question: string;
  onConfirm: () => void;
  disabled?: boolean;
  title?: string;
  className?: string;
}

/**
 * A button for an action that cannot be undone: the first press asks, in place, and only
 * "Yes" acts. Escape or "No" puts the button back.
 */
export function ConfirmButton(props: ConfirmButtonProps) {
  const [asking, setAsking] = useState(false);
  const yes = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) yes.current?.focus();
  }, [asking]);

  if (!asking) {
    return (
      <button
        type="button"
        className={props.className}
        aria-label={props.label}
        disabled={props.disabled}
        title={props.title}
        onClick={() => setAsking(true)}
      >
        {props.children}
      </button>
    );
  }
  return (
    <span
      className="confirm"
      role="group"
      aria-label={props.question}
      onKeyDown={(event) => {
        if (event.key === 'Escape') setAsking(false);
      }}
    >
      <span className="confirm__question">{props.question}</span>
      <button
        ref={yes}
        type="button"
        className="button--danger"
        onClick={() => {
          setAsking(false);
          props.onConfirm();
        }}
      >
        Yes, {props.children.toLowerCase()}
      </button>
      <button type="button" className="button--secondary" onClick={() => setAsking(false)}>
        No
      </button>
    </span>
  );
}
