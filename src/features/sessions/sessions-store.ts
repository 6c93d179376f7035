/**
 * The storage the sessions feature needs (docs/decisions/0036). Nothing is scoped: a session is
 * found by its id's hash before its program is known, and signing in finds the program by key.
 */
import type { Store } from '../../store/port.js';
import type { SessionRepository } from '../../store/session-port.js';

export interface SessionsStore extends Pick<Store, 'findProgramByApiKeyHash'> {
  sessions: Pick<SessionRepository, 'create' | 'find' | 'revoke'>;
}
