import { Button, DatePicker, Flex, Input } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { TOUCH } from '../touch';

const NATIVE_FORMAT = 'YYYY-MM-DDTHH:mm';

/**
 * A day and a time to the minute, as a form field. Under a finger it is the phone's own picker
 * (`datetime-local`): antd's panel of a calendar beside the hours and minutes, with presets on
 * its side, is 520 px wide and ran off a 390 px screen, its 确定 half past the edge. Presets
 * (24/48/72 小时) are then buttons under the field. At a desk, antd's picker with its presets.
 */
export function DateTimeField({
  value,
  onChange,
  presets,
  notAfterToday,
  'data-testid': testId,
}: {
  value?: Dayjs | null;
  onChange?: (value: Dayjs | null) => void;
  presets?: { label: string; value: Dayjs }[];
  /** No day later than today (a check recorded as done). */
  notAfterToday?: boolean;
  'data-testid'?: string;
}) {
  if (!TOUCH)
    return (
      <DatePicker
        value={value}
        onChange={(next) => onChange?.(next ?? null)}
        showTime={{ format: 'HH:mm' }}
        format="YYYY-MM-DD HH:mm"
        presets={presets}
        disabledDate={notAfterToday ? (date) => date.isAfter(dayjs(), 'day') : undefined}
        style={{ width: '100%' }}
        data-testid={testId}
      />
    );
  return (
    <Flex vertical gap={8}>
      <Input
        type="datetime-local"
        value={value ? value.format(NATIVE_FORMAT) : ''}
        max={notAfterToday ? dayjs().endOf('day').format(NATIVE_FORMAT) : undefined}
        onChange={(event) => onChange?.(event.target.value ? dayjs(event.target.value) : null)}
        data-testid={testId}
      />
      {presets && presets.length > 0 && (
        <Flex gap={8} wrap>
          {presets.map((preset) => (
            <Button key={preset.label} onClick={() => onChange?.(preset.value)}>
              {preset.label}
            </Button>
          ))}
        </Flex>
      )}
    </Flex>
  );
}
