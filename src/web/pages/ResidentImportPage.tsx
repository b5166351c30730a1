import { ArrowLeftOutlined, DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Flex,
  Grid,
  Result,
  Spin,
  Steps,
  Table,
  type TableColumnsType,
  Typography,
  Upload,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError, api } from '../api';
import { useShowError } from '../forms';
import type { ImportReport } from '../types';

type ImportError = ImportReport['errors'][number];

/** The same file goes up twice: checked only (dryRun), then, once the user confirms, written. */
const sendFile = (file: File, dryRun: boolean) => {
  const form = new FormData();
  form.append('file', file);
  return api.upload<ImportReport>('/residents/import', form, { dryRun });
};

export function ResidentImportPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const showError = useShowError();
  const [file, setFile] = useState<File>();
  const [report, setReport] = useState<ImportReport>();
  const [importedCount, setImportedCount] = useState<number>();

  const template = useMutation({
    mutationFn: () => api.download('/residents/import-template.xlsx'),
    onError: (error) => showError(error),
  });
  const check = useMutation({
    mutationFn: (chosen: File) => sendFile(chosen, true),
    onSuccess: setReport,
    onError: (error) => showError(error),
  });
  const confirm = useMutation({
    mutationFn: (chosen: File) => sendFile(chosen, false),
    onSuccess: ({ imported }) => {
      setImportedCount(imported);
      void queryClient.invalidateQueries({ queryKey: ['residents'] });
      void queryClient.invalidateQueries({ queryKey: ['households'] });
    },
    onError: (error, chosen) => {
      showError(error);
      // Refused as invalid: the registry changed since the check (someone registered one of these
      // IDs meanwhile) and nothing was written. Checking again lists what is wrong now.
      if (error instanceof ApiError && error.status === 400) check.mutate(chosen);
    },
  });

  const choose = (chosen: File) => {
    setFile(chosen);
    setReport(undefined);
    setImportedCount(undefined);
    check.mutate(chosen);
  };

  const ready = report !== undefined && report.errors.length === 0 && report.valid > 0;
  // Where the user is: the template until a file is chosen, then its check, then the import.
  const step = importedCount !== undefined ? 3 : ready ? 2 : file ? 1 : 0;

  return (
    <Card
      title={t('residentImport.title')}
      extra={
        <Link to="/residents">
          <ArrowLeftOutlined /> {t('residents.backToList')}
        </Link>
      }
    >
      <Steps
        current={step}
        style={{ marginBottom: 24 }}
        items={[
          { title: t('residentImport.templateStep') },
          { title: t('residentImport.checkStep') },
          { title: t('residentImport.confirmStep') },
        ]}
      />
      {importedCount !== undefined ? (
        <Result
          status="success"
          title={t('residentImport.done', { count: importedCount })}
          extra={
            <Link to="/residents">
              <Button type="primary">{t('residents.backToList')}</Button>
            </Link>
          }
          data-testid="import-done"
        />
      ) : (
        <Flex vertical gap={24}>
          <Flex vertical gap={8} align="start">
            <Typography.Text>{t('residentImport.templateHint')}</Typography.Text>
            <Button
              icon={<DownloadOutlined />}
              loading={template.isPending}
              onClick={() => template.mutate()}
              data-testid="import-template"
            >
              {t('residentImport.template')}
            </Button>
          </Flex>
          <Flex vertical gap={8}>
            <Typography.Text>{t('residentImport.checkHint')}</Typography.Text>
            <Upload.Dragger
              accept=".xlsx"
              multiple={false}
              showUploadList={false}
              disabled={check.isPending || confirm.isPending}
              beforeUpload={(chosen) => {
                if (!chosen.name.toLowerCase().endsWith('.xlsx')) {
                  void message.error(t('residentImport.onlyXlsx'));
                  return Upload.LIST_IGNORE;
                }
                choose(chosen);
                return false; // the page sends it itself, checked first
              }}
              data-testid="import-file"
            >
              <p className="ant-upload-drag-icon">
                <InboxOutlined />
              </p>
              <p className="ant-upload-text">{file ? file.name : t('residentImport.drop')}</p>
            </Upload.Dragger>
          </Flex>
          {check.isPending && (
            <Flex gap={8} align="center">
              <Spin size="small" />
              {t('residentImport.checking')}
            </Flex>
          )}
          {report && <ImportReportView report={report} />}
          {ready && file && (
            <div>
              <Button
                type="primary"
                loading={confirm.isPending}
                onClick={() => confirm.mutate(file)}
                data-testid="import-confirm"
              >
                {t('residentImport.confirm')}
              </Button>
            </div>
          )}
        </Flex>
      )}
    </Card>
  );
}

function ImportReportView({ report }: { report: ImportReport }) {
  const { t } = useTranslation();
  const screens = Grid.useBreakpoint();
  const summary = t('residentImport.summary', {
    total: report.total,
    valid: report.valid,
    errors: report.errors.length,
  });
  if (report.errors.length === 0) {
    return report.valid === 0 ? (
      <Alert type="info" showIcon title={t('residentImport.empty')} data-testid="import-summary" />
    ) : (
      <Alert
        type="success"
        showIcon
        title={t('residentImport.ready', { valid: report.valid })}
        description={summary}
        data-testid="import-summary"
      />
    );
  }

  const columns: TableColumnsType<ImportError> = screens.sm
    ? [
        { title: t('residentImport.row'), dataIndex: 'row', width: 80 },
        { title: t('residentImport.column'), dataIndex: 'column', width: 140 },
        { title: t('residentImport.problem'), dataIndex: 'message' },
      ]
    : // A phone: the problem whole under where it is, rather than cut off beside two columns.
      [
        {
          key: 'problem',
          title: t('residentImport.problem'),
          render: (_, error) => (
            <Flex vertical gap={2}>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('residentImport.rowAt', { row: error.row })} · {error.column}
              </Typography.Text>
              <Typography.Text>{error.message}</Typography.Text>
            </Flex>
          ),
        },
      ];
  return (
    <Flex vertical gap={16}>
      <Alert
        type="warning"
        showIcon
        title={summary}
        description={t('residentImport.fixAndRetry')}
        data-testid="import-summary"
      />
      <Table<ImportError>
        rowKey={(error) => `${error.row}-${error.column}-${error.message}`}
        size="small"
        columns={columns}
        dataSource={report.errors}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={screens.sm ? { x: 'max-content' } : undefined}
        data-testid="import-errors"
      />
    </Flex>
  );
}
