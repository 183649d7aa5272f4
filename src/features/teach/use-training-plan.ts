import { useEffect, useState } from 'react';
import type { InferenceClient } from '../../inference/client';
import type { LoadedModelInfo } from '../../inference/protocol';
import type { TrainPlan, TrainSettings } from '../../inference/protocol';
import { messageOf } from '../../lib/message-of';
import { planTraining } from './teach-client';

/**
 * Parameter counts for the chosen strategy on the active model, asked of the worker shortly after
 * the settings stop changing (a newer question cancels an older one).
 */
export function useTrainingPlan(
  client: InferenceClient,
  model: LoadedModelInfo | null,
  settings: TrainSettings,
  numClasses: number,
): { plan: TrainPlan | null; planError: string | null } {
  const [plan, setPlan] = useState<TrainPlan | null>(null);
  const [planError, setPlanError] = useState<string | null>(null);
  useEffect(() => {
    if (!model) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      planTraining(client, settings, [], Math.max(numClasses, 2), false, controller.signal).then(
        (p) => {
          setPlan(p);
          setPlanError(null);
        },
        (error: unknown) => {
          if (!controller.signal.aborted) setPlanError(messageOf(error));
        },
      );
    }, 150);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [client, model, settings, numClasses]);
  return { plan, planError };
}
