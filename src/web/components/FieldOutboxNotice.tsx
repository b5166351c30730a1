import { Alert, Button, Flex, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { labelled } from '../../domain/language';
import { type FieldWriteKind, useFieldOutbox } from '../fieldOutbox';

/**
 * What of a sweep's or a round's field writes is still on this phone (waiting for a network), and
 * what the server refused (with why, until seen): nothing recorded at a door is lost quietly.
 */
export function FieldOutboxNotice({ kind, parentId }: { kind: FieldWriteKind; parentId: string }) {
  const { t, i18n } = useTranslation();
  const { outbox, items, refused } = useFieldOutbox();
  const mine = items.filter((write) => write.kind === kind && write.parentId === parentId);
  const refusedHere = refused.filter((r) => r.item.kind === kind && r.item.parentId === parentId);
  if (mine.length === 0 && refusedHere.length === 0) return null;
  return (
    <Flex vertical gap={8}>
      {mine.length > 0 && (
        <Alert
          type="warning"
          showIcon
          data-testid="field-outbox-waiting"
          message={t('outbox.waiting', { count: mine.length })}
          description={
            <Flex vertical gap={2}>
              {mine.map((write) => (
                <Typography.Text key={write.clientId} style={{ fontSize: 13 }}>
                  {write.label}
                  {write.lastError ? (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {' '}
                      · {write.lastError}
                    </Typography.Text>
                  ) : null}
                </Typography.Text>
              ))}
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('outbox.waitingHint')}
              </Typography.Text>
            </Flex>
          }
        />
      )}
      {refusedHere.length > 0 && (
        <Alert
          type="error"
          showIcon
          data-testid="field-outbox-refused"
          message={t('outbox.refusedTitle')}
          description={
            <Flex vertical gap={6}>
              {refusedHere.map(({ item, message }) => (
                <Flex key={item.clientId} justify="space-between" align="center" gap={8}>
                  <Typography.Text style={{ fontSize: 13, minWidth: 0 }}>
                    {labelled(item.label, message, i18n.language)}
                  </Typography.Text>
                  <Button onClick={() => outbox.dismissRefused(item.clientId)}>{t('outbox.dismiss')}</Button>
                </Flex>
              ))}
            </Flex>
          }
        />
      )}
    </Flex>
  );
}
