// Which user's timeline is open (the drill-down dialog in App.svelte shows it); any screen can open one.
class TimelineState {
  userId = $state<string | null>(null);
  open(userId: string): void {
    this.userId = userId;
  }
  close(): void {
    this.userId = null;
  }
}

export const timeline = new TimelineState();
