import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { PersonalDataCipher } from './crypto/personal-data-cipher.ts';
import type { EventBus } from './events/event-bus.ts';

/** What services need from the outside world; built once at start, passed explicitly. */
export interface AppDeps {
  config: Config;
  database: Database;
  events: EventBus;
  cipher: PersonalDataCipher;
}
