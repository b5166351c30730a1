import { EventEmitter } from 'node:events';

/** A domain event, published after its transaction commits. */
export interface DomainEvent {
  type: string;
  entity: string;
  entityId: string | null;
  /** Org path of the record: subscribers see only events inside their scope. */
  orgPath: string | null;
  at: string;
}

/**
 * In-process publish/subscribe. One app server is what a district needs; several servers would
 * relay through PostgreSQL LISTEN/NOTIFY behind this same interface.
 */
export class EventBus {
  readonly #emitter = new EventEmitter();

  constructor() {
    this.#emitter.setMaxListeners(0);
  }

  publish(event: DomainEvent): void {
    this.#emitter.emit('event', event);
  }

  subscribe(listener: (event: DomainEvent) => void): () => void {
    this.#emitter.on('event', listener);
    return () => this.#emitter.off('event', listener);
  }
}
