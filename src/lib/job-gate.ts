// Progress from a worker comes through its own message port (a Comlink proxy), so a report can arrive after the
// job's answer, its error or its Cancel. A gate numbers the jobs and lets through only the current job's reports:
// a late one from an ended job is dropped instead of putting a finished screen back into "running" for ever.

export class JobGate {
  private current = 0;

  /** Start a job; `show` receives its reports while it is the current job. */
  begin<A extends unknown[]>(show: (...args: A) => void): (...args: A) => void {
    const id = ++this.current;
    return (...args: A) => {
      if (this.current === id) show(...args);
    };
  }

  /** End the current job: its reports from now on are dropped. */
  end(): void {
    this.current++;
  }
}
