import cron, { type ScheduledTask } from 'node-cron';
import { loggableError } from '../db/errors.js';
import type { ReconcileMode } from '../db/entities/index.js';
import { runReconcile } from './reconciler.js';
import type { ReconcileDeps } from './types.js';

export interface SchedulerOptions {
  /** Incremental runs. */
  incrementalCron: string;
  /** Full runs, each followed by a plans run. */
  fullCron: string;
}

export interface Scheduler {
  /** Stops the schedules, interrupts a run in progress (it resumes next time) and waits for it. */
  stop(): Promise<void>;
}

export class InvalidScheduleError extends Error {
  override name = 'InvalidScheduleError';
}

/**
 * node-cron schedules for the reconciler. Runs never overlap: within the process one job runs at a
 * time (a tick that finds one running is skipped), and across processes the run lock decides.
 */
export function startScheduler(deps: ReconcileDeps, options: SchedulerOptions): Scheduler {
  for (const [name, expression] of [['RECONCILE_CRON', options.incrementalCron], ['RECONCILE_FULL_CRON', options.fullCron]]) {
    if (!cron.validate(expression)) throw new InvalidScheduleError(`${name} is not a valid cron expression: ${expression}`);
  }
  const stopping = new AbortController();
  let current: Promise<void> | null = null;

  const runJob = (modes: ReconcileMode[]) => () => {
    if (current !== null) {
      deps.logger.info({ modes }, 'reconcile tick skipped: a run is still in progress');
      return;
    }
    current = (async () => {
      for (const mode of modes) {
        if (stopping.signal.aborted) return;
        const outcome = await runReconcile(deps, { mode, trigger: 'schedule', signal: stopping.signal });
        if (outcome.skipped) return;
      }
    })().catch((error: unknown) => deps.logger.error({ error: loggableError(error), modes }, 'scheduled reconcile failed'))
      .finally(() => { current = null; });
    return current;
  };

  const tasks: ScheduledTask[] = [
    cron.schedule(options.incrementalCron, runJob(['incremental']), { name: 'reconcile-incremental', noOverlap: true }),
    cron.schedule(options.fullCron, runJob(['full', 'plans']), { name: 'reconcile-full', noOverlap: true }),
  ];
  deps.logger.info({ incremental: options.incrementalCron, full: options.fullCron }, 'reconcile scheduler started');
  return {
    async stop() {
      stopping.abort(new Error('scheduler stopping'));
      for (const task of tasks) await task.destroy();
      await current;
    },
  };
}
