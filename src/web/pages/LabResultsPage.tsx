import { DownloadOutlined, ExclamationCircleFilled, InboxOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Col,
  Flex,
  Grid,
  Input,
  Radio,
  Result,
  Row,
  Spin,
  Statistic,
  Steps,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
  theme,
  Upload,
} from 'antd';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { districtWallClock, parseDistrictDateTime } from '../../domain/dates';
import { listed, noted } from '../../domain/language';
import {
  cleanTubeCode,
  TEST_RESULT_NAMES,
  TEST_RESULTS,
  type TestResult,
  TUBE_CODE_PATTERN,
  TUBE_STATE_NAMES,
  type TubeState,
} from '../../domain/testing';
import { api } from '../api';
import { splitFieldMessage } from '../apiError';
import { useIntentIds } from '../clientIds';
import { formatTime } from '../format';
import { useShowError } from '../forms';
import { localized, nameIn } from '../i18n';
import type testing from '../locales/testing.zh';
import { labsQuery } from '../queries';
import type { LabImportReport, ReceiptReport } from '../testingTypes';
import { useMe } from '../useMe';

type RowError = LabImportReport['errors'][number];

const ACCEPTED = ['.csv', '.xlsx'];

/** The same file goes up twice: checked only (dryRun), then, once the lab confirms, applied. */
const sendFile = (file: File, dryRun: boolean) => {
  const form = new FormData();
  form.append('file', file);
  return api.upload<LabImportReport>('/lab/results/import', form, { dryRun });
};

/** A file with the columns the import reads, for labs whose system exports something else. */
function downloadTemplate() {
  const csv =
    'tubeCode,result,testedAt,ct\nT20220415-0001,阴性,2022-04-15 18:30,\nT20220415-0002,阳性,2022-04-15 18:30,31.5\n';
  // The byte-order mark makes Excel read the Chinese as UTF-8.
  const url = URL.createObjectURL(new Blob(['\uFEFF', csv], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = 'lab-results-template.csv';
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function LabResultsPage() {
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24}>
        <WhichLab />
      </Col>
      <Col xs={24} xl={16}>
        <ResultsImport />
      </Col>
      <Col xs={24} xl={8}>
        <Flex vertical gap={16}>
          <HandoversToReceive />
          <Receipts />
          <EnterResult />
        </Flex>
      </Col>
    </Row>
  );
}

/** Whose tubes this page works on: a lab's team its own lab's, anyone else any lab's. */
function WhichLab() {
  const { t, i18n } = useTranslation();
  const { can } = useMe();
  const labs = useQuery(labsQuery);
  if (!labs.data) return null;
  const mine = labs.data.items.filter((lab) => lab.mine);
  return (
    <Alert
      showIcon
      type={mine.length === 0 && !can('testing.manage') ? 'warning' : 'info'}
      data-testid="lab-which"
      title={
        mine.length > 0
          ? t('testing.labs.myLabs', {
              names: listed(
                mine.map((lab) => lab.name),
                i18n.language,
              ),
            })
          : can('testing.manage')
            ? t('testing.labs.anyLab')
            : t('testing.labs.noTeam')
      }
    />
  );
}

function ResultsImport() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const showError = useShowError();
  const [file, setFile] = useState<File>();
  const [report, setReport] = useState<LabImportReport>();
  const [applied, setApplied] = useState<LabImportReport>();
  // A file refused whole (not a CSV or workbook, its columns missing): said on the page, where
  // the file's name still stands, not only in a pop-up that fades.
  const [failure, setFailure] = useState<{ message: string; field?: string }>();
  const screens = Grid.useBreakpoint();

  const check = useMutation({
    mutationFn: (chosen: File) => sendFile(chosen, true),
    onSuccess: setReport,
    onError: (error) => setFailure(splitFieldMessage(error)),
  });
  const confirm = useMutation({
    mutationFn: (chosen: File) => sendFile(chosen, false),
    onSuccess: (final) => {
      setApplied(final);
      // Results move recalls, work items and people's statuses.
      for (const root of ['test-recalls', 'test-summary', 'test-coverage', 'work-items', 'residents'])
        void queryClient.invalidateQueries({ queryKey: [root] });
    },
    onError: (error) => showError(error),
  });

  const choose = (chosen: File) => {
    setFile(chosen);
    setReport(undefined);
    setApplied(undefined);
    setFailure(undefined);
    check.mutate(chosen);
  };
  const reset = () => {
    setFile(undefined);
    setReport(undefined);
    setApplied(undefined);
    setFailure(undefined);
  };

  const step = applied ? 2 : report ? 1 : 0;
  return (
    <Card title={t('testing.lab.title')}>
      <Steps
        current={step}
        size="small"
        responsive={false}
        titlePlacement={screens.sm ? 'horizontal' : 'vertical'}
        style={{ marginBottom: 24 }}
        items={[
          { title: t('testing.lab.uploadStep') },
          { title: t('testing.lab.checkStep') },
          { title: t('testing.lab.doneStep') },
        ]}
      />
      {applied ? (
        <Flex vertical gap={16}>
          <Result
            status={applied.positives > 0 ? 'warning' : 'success'}
            title={t('testing.lab.done', { applied: applied.applied })}
            subTitle={applied.positives > 0 ? positivesText(t, applied, 'done') : undefined}
            extra={
              <Button type="primary" onClick={reset} data-testid="lab-again">
                {t('testing.lab.again')}
              </Button>
            }
            data-testid="lab-done"
          />
          <LabReportView report={applied} />
        </Flex>
      ) : (
        <Flex vertical gap={16}>
          <Flex justify="space-between" align="center" gap={8} wrap>
            <Typography.Text type="secondary">{t('testing.lab.hint')}</Typography.Text>
            <Button icon={<DownloadOutlined />} onClick={downloadTemplate} data-testid="lab-template">
              {t('testing.lab.template')}
            </Button>
          </Flex>
          <Upload.Dragger
            accept={ACCEPTED.join(',')}
            multiple={false}
            showUploadList={false}
            disabled={check.isPending || confirm.isPending}
            beforeUpload={(chosen) => {
              if (!ACCEPTED.some((ext) => chosen.name.toLowerCase().endsWith(ext))) {
                void message.error(t('testing.lab.onlyCsvXlsx'));
                return Upload.LIST_IGNORE;
              }
              choose(chosen);
              return false; // the page sends it itself, checked first
            }}
            data-testid="lab-file"
          >
            <p className="ant-upload-drag-icon">
              <InboxOutlined />
            </p>
            <p className="ant-upload-text">{file ? file.name : t('testing.lab.drop')}</p>
            <p className="ant-upload-hint">{t('testing.lab.columns')}</p>
          </Upload.Dragger>
          {failure && !check.isPending && (
            <Alert
              type="error"
              showIcon
              title={failure.message}
              // The field's message when it says more than the message does.
              description={
                failure.field && !failure.message.includes(failure.field) ? failure.field : undefined
              }
              data-testid="lab-file-refused"
            />
          )}
          {check.isPending && (
            <Flex gap={8} align="center">
              <Spin size="small" />
              {t('testing.lab.checking')}
            </Flex>
          )}
          {report && !check.isPending && (
            <>
              <LabReportView report={report} />
              {file && (
                <Flex gap={8} wrap align="center">
                  <Button
                    type="primary"
                    danger={report.positives > 0}
                    disabled={report.applied === 0}
                    loading={confirm.isPending}
                    onClick={() => confirm.mutate(file)}
                    data-testid="lab-confirm"
                  >
                    {t('testing.lab.confirm', { applied: report.applied })}
                  </Button>
                  {report.applied === 0 && (
                    <Typography.Text type="secondary">{t('testing.lab.nothingToApply')}</Typography.Text>
                  )}
                </Flex>
              )}
            </>
          )}
        </Flex>
      )}
    </Card>
  );
}

const COLUMN_NAMES = { tubeCode: true, result: true, testedAt: true, ct: true } as const;

function LabReportView({ report }: { report: LabImportReport }) {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  // Rows with a problem, each once (a conflict's rows are in the errors too; an unknown tube is
  // one row of the file), so the count matches the lists below.
  const problems = new Set(report.errors.map((e) => e.row)).size + report.unknownTubes.length;
  const figures: { key: keyof (typeof testing)['lab']['figures']; value: number; color?: string }[] = [
    { key: 'rows', value: report.rows },
    { key: report.dryRun ? 'toApply' : 'applied', value: report.applied, color: token.colorSuccess },
    { key: 'positives', value: report.positives, color: report.positives > 0 ? token.colorError : undefined },
    {
      key: report.dryRun ? 'rechecksToCreate' : 'rechecksCreated',
      value: report.rechecksCreated,
      color: report.rechecksCreated > 0 ? token.colorWarning : undefined,
    },
    {
      key: 'invalids',
      value: report.invalids,
      color: report.invalids > 0 ? token.colorWarning : undefined,
    },
    {
      key: 'unknownTubes',
      value: report.unknownTubes.length,
      color: report.unknownTubes.length > 0 ? token.colorError : undefined,
    },
    {
      key: 'conflicts',
      value: report.conflicts.length,
      color: report.conflicts.length > 0 ? token.colorError : undefined,
    },
    { key: 'duplicates', value: report.duplicates },
    { key: 'notReceived', value: report.notReceived },
    { key: 'alreadyRecorded', value: report.alreadyRecorded },
  ];
  const columns: TableColumnsType<RowError> = [
    { title: t('residentImport.row'), dataIndex: 'row', width: 64 },
    {
      title: t('residentImport.column'),
      dataIndex: 'column',
      width: 92,
      // The file's columns as the lab knows them (its headers may have been Chinese).
      render: (column: string) =>
        column in COLUMN_NAMES ? t(`testing.lab.columnNames.${column as keyof typeof COLUMN_NAMES}`) : column,
    },
    { title: t('residentImport.problem'), dataIndex: 'message' },
  ];
  return (
    <Flex vertical gap={16} data-testid={report.dryRun ? 'lab-report' : 'lab-final-report'}>
      {report.dryRun && (
        <Alert
          type={problems > 0 ? 'warning' : report.positives > 0 ? 'error' : 'success'}
          showIcon
          // Red for a positive to act on, but not the ✕ of a failed check: the check passed.
          icon={problems === 0 && report.positives > 0 ? <ExclamationCircleFilled /> : undefined}
          title={
            problems === 0
              ? t('testing.lab.checkedOk', { applied: report.applied })
              : report.applied > 0
                ? t('testing.lab.checkedProblems', { problems, applied: report.applied })
                : t('testing.lab.checkedProblemsOnly', { problems })
          }
          description={report.positives > 0 ? positivesText(t, report, 'warning') : undefined}
          data-testid="lab-summary"
        />
      )}
      <Row gutter={[12, 12]}>
        {figures.map(({ key, value, color }) => (
          <Col key={key} xs={8} md={6} xl={8} xxl={6}>
            <Statistic
              title={t(`testing.lab.figures.${key}`)}
              value={value}
              styles={{ content: { fontSize: 20, color } }}
              data-testid={`lab-${key}`}
            />
          </Col>
        ))}
      </Row>
      {report.notReceived > 0 && (
        <Typography.Text type="secondary">{t('testing.lab.notReceivedHint')}</Typography.Text>
      )}
      {report.unknownTubes.length > 0 && (
        <TubeList
          title={t('testing.lab.unknownList')}
          codes={report.unknownTubes}
          testId="lab-unknown-list"
        />
      )}
      {report.conflicts.length > 0 && (
        <TubeList title={t('testing.lab.conflictList')} codes={report.conflicts} testId="lab-conflict-list" />
      )}
      {report.errors.length > 0 && (
        <Table<RowError>
          rowKey={(error) => `${error.row}-${error.column}-${error.message}`}
          size="small"
          columns={columns}
          dataSource={report.errors}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          tableLayout="fixed"
          data-testid="lab-errors"
        />
      )}
    </Flex>
  );
}

function TubeList({ title, codes, testId }: { title: string; codes: string[]; testId: string }) {
  const shown = codes.slice(0, 100);
  return (
    <Flex vertical gap={4} data-testid={testId}>
      <Typography.Text strong>{title}</Typography.Text>
      <Flex gap={4} wrap>
        {shown.map((code) => (
          <Tag key={code} style={{ marginInlineEnd: 0, fontFamily: 'monospace' }}>
            {code}
          </Tag>
        ))}
        {codes.length > shown.length && (
          <Typography.Text type="secondary">… +{codes.length - shown.length}</Typography.Text>
        )}
      </Flex>
    </Flex>
  );
}

/**
 * Tube codes scanned or typed one a line (a barcode gun ends each with Enter), or pasted as a list
 * with commas: spaces inside a line are part of its code (ZK 1130 0002 is ZK11300002).
 */
const parseCodes = (text: string) => [
  ...new Set(
    text
      .split(/[\n\r,，;；\t]+/)
      .map(cleanTubeCode)
      .filter(Boolean),
  ),
];

interface HandoverToReceive {
  id: string;
  labName: string;
  roundName: string;
  tubeCount: number;
  waiting: number;
  createdAt: string;
  createdByName: string | null;
  tubeCodes: string[];
}

/** Batches handed over to this lab and not yet received: received whole with one tap. */
function HandoversToReceive() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const showError = useShowError();
  const batches = useQuery({
    queryKey: ['lab-handovers'],
    queryFn: () => api.get<{ items: HandoverToReceive[] }>('/lab/handovers'),
  });
  // One client id per receipt, kept across taps: a retry after a lost answer answers as the first.
  const batchIds = useIntentIds();
  const receive = useMutation({
    mutationFn: (batch: HandoverToReceive) =>
      api.post<ReceiptReport>('/lab/receipts', {
        tubeCodes: batch.tubeCodes,
        clientId: batchIds.idFor(batch.tubeCodes),
      }),
    onSuccess: (result) => {
      batchIds.settle();
      void message.success(t('testing.lab.received', { received: result.received, skipped: result.skipped }));
      void queryClient.invalidateQueries({ queryKey: ['lab-handovers'] });
    },
    onError: (error) => showError(error),
  });
  const items = batches.data?.items ?? [];
  return (
    <Card title={t('testing.lab.batchesTitle')} loading={batches.isPending} data-testid="lab-batches">
      {batches.error && <Alert type="error" showIcon title={batches.error.message} />}
      {items.length === 0 ? (
        <Typography.Text type="secondary">{t('testing.lab.noBatches')}</Typography.Text>
      ) : (
        <Flex vertical gap={8}>
          {items.map((batch) => (
            <Flex key={batch.id} justify="space-between" align="center" gap={8} wrap>
              <Flex vertical style={{ minWidth: 0 }}>
                <Typography.Text strong>
                  {t('testing.lab.batchLine', { waiting: batch.waiting, count: batch.tubeCount })}
                </Typography.Text>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {[batch.roundName, batch.labName, batch.createdByName, formatTime(batch.createdAt)]
                    .filter(Boolean)
                    .join(' · ')}
                </Typography.Text>
              </Flex>
              <Button
                loading={receive.isPending && receive.variables?.id === batch.id}
                onClick={() => receive.mutate(batch)}
                data-testid="lab-batch-receive"
              >
                {t('testing.lab.receiveBatch')}
              </Button>
            </Flex>
          ))}
        </Flex>
      )}
    </Card>
  );
}

function Receipts() {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const showError = useShowError();
  const [text, setText] = useState('');
  const [answer, setAnswer] = useState<ReceiptReport>();
  const codes = parseCodes(text);
  const malformed = codes.filter((code) => !TUBE_CODE_PATTERN.test(code));
  const receiptIds = useIntentIds();
  const receive = useMutation({
    mutationFn: () =>
      api.post<ReceiptReport>('/lab/receipts', { tubeCodes: codes, clientId: receiptIds.idFor(codes) }),
    onSuccess: (result) => {
      receiptIds.settle();
      setAnswer(result);
      setText('');
      void queryClient.invalidateQueries({ queryKey: ['lab-handovers'] });
    },
    onError: (error) => showError(error),
  });
  return (
    <Card title={t('testing.lab.receiveTitle')}>
      <Flex vertical gap={12}>
        <Typography.Text type="secondary">{t('testing.lab.receiveHint')}</Typography.Text>
        <Input.TextArea
          value={text}
          onChange={(event) => setText(event.target.value)}
          rows={6}
          placeholder={t('testing.lab.receivePlaceholder')}
          style={{ fontFamily: 'monospace' }}
          data-testid="lab-receipt-codes"
        />
        {malformed.length > 0 && (
          <Alert
            type="error"
            showIcon
            title={t('testing.lab.malformed', { codes: listed(malformed.slice(0, 5), i18n.language) })}
          />
        )}
        <Flex justify="space-between" align="center" gap={8}>
          <Typography.Text type="secondary">
            {t('testing.lab.codeCount', { count: codes.length })}
          </Typography.Text>
          <Button
            type="primary"
            disabled={codes.length === 0 || malformed.length > 0}
            loading={receive.isPending}
            onClick={() => receive.mutate()}
            data-testid="lab-receive"
          >
            {t('testing.lab.receive')}
          </Button>
        </Flex>
        {answer && (
          <Alert
            type={answer.unknownTubes.length > 0 || answer.skipped > 0 ? 'warning' : 'success'}
            showIcon
            // Unknown codes are not received either: the headline counts every code not taken.
            title={t('testing.lab.received', {
              received: answer.received,
              skipped: answer.skipped + answer.unknownTubes.length,
            })}
            description={
              answer.unknownTubes.length > 0 || answer.skipped > 0 ? (
                <Flex vertical gap={2}>
                  {answer.unknownTubes.length > 0 && (
                    <span>
                      {t('testing.lab.receivedUnknown', {
                        codes: listed(answer.unknownTubes, i18n.language),
                      })}
                    </span>
                  )}
                  {answer.skippedTubes.length > 0 && (
                    <span data-testid="lab-receipt-skipped">
                      {t('testing.lab.receivedSkipped', {
                        tubes: listed(
                          answer.skippedTubes.map((s) => {
                            const state =
                              s.state in TUBE_STATE_NAMES
                                ? nameIn(i18n.language, TUBE_STATE_NAMES[s.state as TubeState])
                                : s.state;
                            return noted(s.tubeCode, state, i18n.language);
                          }),
                          i18n.language,
                        ),
                      })}
                    </span>
                  )}
                </Flex>
              ) : undefined
            }
            data-testid="lab-receipt-result"
          />
        )}
      </Flex>
    </Card>
  );
}

/** One result typed in (a re-test, a tube the file missed): the same rules as a file of one row. */
function EnterResult() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [tubeCode, setTubeCode] = useState('');
  const [result, setResult] = useState<TestResult>('negative');
  const [ct, setCt] = useState('');
  // When the lab ran it (a result is often typed after the run): the 48 hours of validity count
  // from it. The phone's own picker; empty is now.
  const [testedAt, setTestedAt] = useState('');
  // 更正: a retest found a tube recorded negative positive; the reason is kept with it.
  const [correcting, setCorrecting] = useState(false);
  const [reason, setReason] = useState('');
  const valid = TUBE_CODE_PATTERN.test(cleanTubeCode(tubeCode)) && (!correcting || reason.trim().length > 0);
  // One client id per result typed, kept across taps: a retry after a lost answer answers as the
  // first (not "recorded already"), whatever the clock says by then.
  const entryIds = useIntentIds();
  const enter = useMutation({
    mutationFn: () => {
      const entry = {
        tubeCode: cleanTubeCode(tubeCode),
        result: correcting ? 'positive' : result,
        ct: ct.trim() || null,
        ...(correcting ? { reason: reason.trim() } : {}),
      };
      return api.post<LabImportReport>(correcting ? '/lab/results/correct' : '/lab/results', {
        ...entry,
        // The lab's wall clock is the district's (北京时间), whatever zone this computer is set to.
        testedAt: ((testedAt && parseDistrictDateTime(testedAt)) || new Date()).toISOString(),
        clientId: entryIds.idFor({ correcting, testedAt, ...entry }),
      });
    },
    onSuccess: (report) => {
      entryIds.settle();
      // The code as it is kept (capitals), whatever case it was typed in.
      const tube = cleanTubeCode(tubeCode);
      // A positive is not a plain success: what it set off (a pool recalled, a person to be
      // transferred) is said at once, in the warning's colour.
      void (report.positives > 0 ? message.warning : message.success)(
        correcting
          ? `${t('testing.lab.corrected', { tube })} ${positivesText(t, report, 'done')}`
          : report.applied > 0
            ? [t('testing.lab.entered', { tube }), report.positives > 0 && positivesText(t, report, 'done')]
                .filter(Boolean)
                .join(' ')
            : t('testing.lab.enteredAlready', { tube }),
      );
      // An invalid tube's people are to be swabbed again: said, not only "entered".
      if (report.invalids > 0) void message.warning(t('testing.lab.enteredInvalid', { tube }));
      if (report.positives > 0) void queryClient.invalidateQueries({ queryKey: ['test-rounds'] });
      setTubeCode('');
      // Back to 阴性, the result of nearly every tube: a positive left chosen would go with the
      // next tube typed, a negative recorded positive (a recall of ten, a transfer).
      setResult('negative');
      setCt('');
      setTestedAt('');
      setReason('');
      setCorrecting(false);
    },
    // A refusal about the time or the tube says it in its own words (the form marks no field,
    // and the API's message names the field by its key, testedAt).
    onError: (error) => {
      const { message: said, field } = splitFieldMessage(error);
      void message.error(field ?? said);
    },
  });
  return (
    <Card title={t('testing.lab.enterTitle')}>
      <Flex vertical gap={12}>
        <Input
          value={tubeCode}
          onChange={(event) => setTubeCode(event.target.value)}
          placeholder={t('testing.lab.enterTube')}
          style={{ fontFamily: 'monospace' }}
          data-testid="lab-enter-tube"
        />
        <Checkbox
          checked={correcting}
          onChange={(event) => setCorrecting(event.target.checked)}
          data-testid="lab-enter-correcting"
        >
          {t('testing.lab.correcting')}
        </Checkbox>
        {correcting ? (
          <Input
            value={reason}
            onChange={(event) => setReason(event.target.value)}
            placeholder={t('testing.lab.correctReason')}
            maxLength={200}
            data-testid="lab-enter-reason"
          />
        ) : (
          <Radio.Group
            value={result}
            onChange={(event) => setResult(event.target.value as TestResult)}
            optionType="button"
            buttonStyle="solid"
            options={TEST_RESULTS.map((r) => ({
              value: r,
              label: localized(i18n.language, TEST_RESULT_NAMES[r].zh, TEST_RESULT_NAMES[r].en),
            }))}
            data-testid="lab-enter-result"
          />
        )}
        <Input
          value={ct}
          onChange={(event) => setCt(event.target.value)}
          placeholder={t('testing.lab.enterCt')}
          data-testid="lab-enter-ct"
        />
        <Flex vertical gap={2}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('testing.lab.enterTestedAt')}
          </Typography.Text>
          <Input
            type="datetime-local"
            value={testedAt}
            max={districtWallClock(new Date()).replace(' ', 'T')}
            onChange={(event) => setTestedAt(event.target.value)}
            data-testid="lab-enter-tested-at"
          />
        </Flex>
        <Button
          type="primary"
          disabled={!valid}
          loading={enter.isPending}
          onClick={() => enter.mutate()}
          data-testid="lab-enter-submit"
        >
          {correcting ? t('testing.lab.correctSubmit') : t('testing.lab.enterSubmit')}
        </Button>
      </Flex>
    </Card>
  );
}

/**
 * What the positives of a file do (to be written) or did: a pool's members are put under control
 * and recalled; a single tube's person is handed over and the command centre told at once.
 */
function positivesText(t: TFunction, report: LabImportReport, when: 'warning' | 'done') {
  const pooled = report.positives - report.singlePositives;
  return [
    pooled > 0 &&
      t(`testing.lab.${when}PooledPositives`, { positives: pooled, rechecks: report.rechecksCreated }),
    report.singlePositives > 0 &&
      t(`testing.lab.${when}SinglePositives`, { positives: report.singlePositives }),
  ]
    .filter(Boolean)
    .join(' ');
}
