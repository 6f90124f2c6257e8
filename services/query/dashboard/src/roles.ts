import type { Role } from '@vigil/contracts';

/**
 * Whether a key of this role may kill and resume (the control routes need operator; admin is its tenant's
 * operator). The dashboard asks `GET /v1/whoami` once after login and shows the controls only when this holds.
 */
export function mayControl(role: Role): boolean {
  return role === 'operator' || role === 'admin';
}

/** Whether a key of this role may read the fleet at all: an agent key only beats and says goodbye. */
export function mayWatch(role: Role): boolean {
  return role !== 'agent';
}
