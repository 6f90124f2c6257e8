/** Whether a status lets a dispatcher send work (as the API's `deliverable`): healthy or degraded only. */
export function isDeliverableStatus(status: string): boolean {
  return status === 'healthy' || status === 'degraded';
}
