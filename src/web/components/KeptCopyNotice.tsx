import { Alert } from 'antd';
import type { ReactNode } from 'react';
import { useShowsKeptCopy } from '../offline';

/**
 * Says that what the page shows under it is the copy kept on the phone (see lastGoodCopy): shown
 * while the copy of `name` stands in for the server's answer, or when told (`also`: the browser
 * says it is offline).
 */
export function KeptCopyNotice({
  name,
  title,
  also = false,
  marginBottom,
  'data-testid': testId,
}: {
  name: string;
  title: ReactNode;
  also?: boolean;
  marginBottom?: number;
  'data-testid': string;
}) {
  const showsCopy = useShowsKeptCopy(name);
  if (!showsCopy && !also) return null;
  return (
    <Alert
      type="info"
      showIcon
      style={marginBottom === undefined ? undefined : { marginBottom }}
      title={title}
      data-testid={testId}
    />
  );
}
