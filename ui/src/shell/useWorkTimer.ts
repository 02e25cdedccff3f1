/**
 * 業務の見える化: counts the working time on the case an editor shows (idle excluded, see
 * lib/workTimer) and hands it to the app every 5 minutes, when the case changes, when the
 * editor closes and when the page goes away. `undefined`: no case yet (a new, unsaved
 * form), nothing is counted.
 *
 * Fire and forget: a failed hand-over is not shown (it is not the person's work that
 * failed), and nothing here ever waits on typing.
 */
import { useEffect } from "react";
import { api } from "../backend";
import { WorkTimer } from "../lib/workTimer";

export function useWorkTimer(recordId: string | undefined): void {
  useEffect(() => {
    if (!recordId) return;
    const timer = new WorkTimer({
      onFlush: (slice) => {
        // Off the event that flushed (never in the way of typing or closing).
        void Promise.resolve()
          .then(() => api.workTimeRecord({ recordId, ...slice }))
          .catch(() => {
            // The time of this slice is lost; the case itself is not affected.
          });
      },
    });
    const detach = timer.attach(window, document);
    timer.start();
    return () => {
      detach();
      timer.stop();
    };
  }, [recordId]);
}
