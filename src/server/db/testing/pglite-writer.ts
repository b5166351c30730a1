/**
 * A child process for the durability test: opens the embedded database and commits one row after
 * another, printing each id only after its commit returned. Whatever it printed must survive kill -9.
 */

import { newId } from '../../platform/ids.ts';
import { openEmbedded } from '../database.ts';
import { clientWrites } from '../schema.ts';

const database = await openEmbedded(process.argv[2]);
process.stdout.write('ready\n');
for (let i = 0; ; i++) {
  const id = newId();
  await database.db.insert(clientWrites).values({ clientId: id, action: 'durability.test', response: { i } });
  process.stdout.write(`${id}\n`);
}
