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
 * Publish/subscribe of domain events. In one process by itself (one app server, what a district
 * needs); with several app servers on one PostgreSQL, a relay (`relayEventsThroughPostgres`) also
 * sends what is published here to the others and delivers theirs here.
 */
export class EventBus {
  readonly #emitter = new EventEmitter();
  #outbound: ((event: DomainEvent) => void) | undefined;

  constructor() {
    this.#emitter.setMaxListeners(0);
  }

  publish(event: DomainEvent): void {
    this.#emitter.emit('event', event);
    this.#outbound?.(event);
  }

  /** An event published on another app server: delivered to this one's subscribers only. */
  deliver(event: DomainEvent): void {
    this.#emitter.emit('event', event);
  }

  /** Where published events go besides this process's subscribers (the relay), or nowhere. */
  relayTo(send: ((event: DomainEvent) => void) | undefined): void {
    this.#outbound = send;
  }

  subscribe(listener: (event: DomainEvent) => void): () => void {
    this.#emitter.on('event', listener);
    return () => this.#emitter.off('event', listener);
  }

  /**
   * Events may have been missed (the relay was cut off from the other app servers for a while):
   * whoever keeps something up to date from events should read it again.
   */
  announceResync(): void {
    this.#emitter.emit('resync');
  }

  onResync(listener: () => void): () => void {
    this.#emitter.on('resync', listener);
    return () => this.#emitter.off('resync', listener);
  }
}
