import { useEffect, useRef, useState } from 'react';

/** Props of {@link ConfirmButton}. */
export interface ConfirmButtonProps {
  /** the button's text, e.g. "Delete" */
  children: string;
  /** its accessible name when the text alone is ambiguous, e.g. "Delete cats" */
  label?: string;
  /** the question asked before acting, e.g. "Delete cats for good?" */
  question: string;
  /** the text of the button that acts (default "Yes, <text in lower case>") */
  yes?: string;
  onConfirm: () => void;
  disabled?: boolean;
  title?: string;
  className?: string;
}

/**
 * A button for an action that cannot be undone: the first press asks, in place, and only
 * "Yes" acts. Escape or "No" puts the button back (and the focus on it); becoming disabled
 * withdraws the question.
 */
export function ConfirmButton(props: ConfirmButtonProps) {
  const [asking, setAsking] = useState(false);
  const [refocus, setRefocus] = useState(false);
  const yes = useRef<HTMLButtonElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  // Disabled meanwhile (e.g. the item became the one in use): the question goes away.
  if (asking && props.disabled) setAsking(false);

  useEffect(() => {
    if (asking) yes.current?.focus();
    else if (refocus) trigger.current?.focus();
  }, [asking, refocus]);

  const back = (): void => {
    setAsking(false);
    setRefocus(true);
  };

  if (!asking) {
    return (
      <button
        ref={trigger}
        type="button"
        className={props.className}
        aria-label={props.label}
        disabled={props.disabled}
        title={props.title}
        onClick={(event) => {
          event.stopPropagation();
          setRefocus(false);
          setAsking(true);
        }}
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
        if (event.key === 'Escape') back();
      }}
    >
      <span className="confirm__question">{props.question}</span>
      <button
        ref={yes}
        type="button"
        className="button--danger"
        onClick={(event) => {
          event.stopPropagation();
          setAsking(false);
          props.onConfirm();
        }}
      >
        {props.yes ?? `Yes, ${props.children.toLowerCase()}`}
      </button>
      <button
        type="button"
        className="button--secondary"
        onClick={(event) => {
          event.stopPropagation();
          back();
        }}
      >
        No
      </button>
    </span>
  );
}
