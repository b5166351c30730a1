import {
  CheckCircleFilled,
  CloseCircleFilled,
  CloudUploadOutlined,
  LockOutlined,
  PictureOutlined,
  SwapOutlined,
} from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  ConfigProvider,
  Empty,
  Flex,
  Input,
  type InputRef,
  Popconfirm,
  Select,
  Space,
  Spin,
  Tag,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { type ReactNode, type RefObject, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { localDay } from '../../domain/dates';
import { listed } from '../../domain/language';
import {
  cleanTubeCode,
  SAMPLING_MODE_NAMES,
  TUBE_CAPACITY,
  TUBE_CODE_PATTERN,
  TUBE_STATE_NAMES,
  type TubeState,
} from '../../domain/testing';
import { ApiError, api } from '../api';
import { refusalText } from '../apiError';
import { newClientId, useIntentIds } from '../clientIds';
import { useShowError } from '../forms';
import { nameIn } from '../i18n';
import { keptQueryFn, lastGoodCopy, useOnline } from '../offline';
import { labsQuery } from '../queries';
import { CameraScanner } from '../sampling/CameraScanner';
import { personCodeFrom, readQrFromFile } from '../sampling/qrReader';
import type { ScanAnswer, TestRound, Tube, TubeDetail } from '../sampling/types';
import { describeScanError, type ScanDelivery, useScanQueue, withPerson } from '../sampling/useScanQueue';
import { type Lab, roundQuery } from '../testingTypes';
import type { Page } from '../types';
import { useMe } from '../useMe';

// What the sampler chose stays chosen across reloads and a dead battery: a point's day is long.
const PLACE_KEY = 'gridwatch.sampling.place';
const TUBE_KEY = 'gridwatch.sampling.tube';
const LAB_KEY = 'gridwatch.sampling.lab';
/** Tries of one scan the server itself failed (5xx, busy) before the sampler is offered to drop it. */
const DISCARD_AFTER_SERVER_FAILURES = 3;
/** A scan answered within this long of being made is the one of the person in front of the sampler. */
const FRESH_SCAN_MS = 10_000;
/** Checking a tube as it is taken up: the sampler waits on it, so a slow network gives up soon. */
const TUBE_CHECK_TIMEOUT_MS = 5_000;

interface Place {
  roundId?: string;
  pointId?: string;
}

/** The tube in hand, at the point it was taken up at. */
interface CurrentTube {
  pointId: string;
  tubeCode: string;
}

function readStored<T>(key: string): T | undefined {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : undefined;
  } catch {
    return undefined;
  }
}

function store(key: string, value: unknown) {
  if (value === undefined || value === null) localStorage.removeItem(key);
  else localStorage.setItem(key, JSON.stringify(value));
}

/** A short buzz for a counted scan, a double one for a refusal: the sampler's eyes are on the swab. */
function vibrate(pattern: number | number[]) {
  if (typeof navigator.vibrate === 'function') navigator.vibrate(pattern);
}

const tubeKey = (tubeCode: string) => ['test-tubes', 'detail', tubeCode] as const;

/**
 * The tube in hand as last fetched, kept on the phone: reloaded without network, the page still
 * knows how many it holds, and counts it full with the scans waiting (else it took a second
 * tube's worth of swabs). Only the current tube: one entry, not one per tube of the day.
 */
const TUBE_STORED = 'sampling.tube';
async function fetchTubeKept(tubeCode: string): Promise<TubeDetail | null> {
  const kept = await lastGoodCopy(
    TUBE_STORED,
    async () => ({ tubeCode, detail: await fetchTube(tubeCode) }),
    { answers: (copy) => copy.tubeCode === tubeCode },
  );
  return kept.detail;
}

/** A tube as the server has it, or null while nobody has been scanned into it (it does not exist yet). */
async function fetchTube(tubeCode: string): Promise<TubeDetail | null> {
  try {
    return await api.get<TubeDetail>(`/sampling/tubes/${encodeURIComponent(tubeCode)}`, undefined, {
      timeoutMs: TUBE_CHECK_TIMEOUT_MS,
    });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/** Person codes are long and opaque: enough of one to tell two apart in a list. */
const shortCode = (code: string) => (code.length > 14 ? `${code.slice(0, 7)}…${code.slice(-5)}` : code);

interface Notice {
  type: 'success' | 'info' | 'warning' | 'error';
  title: ReactNode;
  description?: ReactNode;
}

export function SamplingPage() {
  const { session } = useMe();
  // The signed-in layout renders pages only with a session.
  if (!session) return <Spin />;
  return <SamplingDesk userId={session.user.id} />;
}

function SamplingDesk({ userId }: { userId: string }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const online = useOnline();
  // Per user: a phone handed to the next shift starts from that sampler's own choice.
  const placeKey = `${PLACE_KEY}.${userId}`;
  const tubeKeyStored = `${TUBE_KEY}.${userId}`;
  const [place, setPlaceState] = useState<Place>(() => readStored<Place>(placeKey) ?? {});
  const [current, setCurrentState] = useState<CurrentTube | undefined>(() => readStored(tubeKeyStored));
  const [notice, setNoticeState] = useState<Notice & { seq: number }>();
  // Each notice is a new alert: one the sampler closed must not hide the next.
  const noticeSeq = useRef(0);
  const setNotice = (next?: Notice) => {
    noticeSeq.current += 1;
    setNoticeState(next && { ...next, seq: noticeSeq.current });
  };
  // The latest answer per tube: the count moves at once, before the tube's members are fetched again.
  const [answers, setAnswers] = useState<Record<string, ScanAnswer>>({});
  const tubeInput = useRef<InputRef>(null);
  const [focusTube, setFocusTube] = useState(0);
  // The camera sees the same code many times a second: a code goes into a tube once per sighting.
  const cameraSeen = useRef(new Set<string>());
  // A scan was counted since the tubes were last fetched: fetch them once the queue is through.
  const recordedSinceRefresh = useRef(false);

  const { roundId, pointId } = place;
  const tubeCode = current && current.pointId === pointId ? current.tubeCode : undefined;

  const setPlace = (next: Place) => {
    setPlaceState(next);
    store(placeKey, next);
  };
  const setTube = (next: CurrentTube | undefined) => {
    setCurrentState(next);
    store(tubeKeyStored, next);
  };
  /** The tube is done with (full, sealed, refused): the sampler is asked for the next one. */
  const nextTube = (why: Notice) => {
    setTube(undefined);
    setNotice(why);
    setFocusTube((n) => n + 1);
  };

  useEffect(() => {
    if (focusTube > 0) tubeInput.current?.focus();
  }, [focusTube]);

  const rounds = useQuery({
    queryKey: ['test-rounds', 'list', { pageSize: 100 }],
    queryFn: keptQueryFn('sampling.rounds', () =>
      api.get<Page<TestRound>>('/test-rounds', { pageSize: 100 }),
    ),
  });
  const round = useQuery({ ...roundQuery(roundId ?? ''), enabled: Boolean(roundId) });
  const tube = useQuery({
    queryKey: tubeKey(tubeCode ?? ''),
    queryFn: () => fetchTubeKept(tubeCode ?? ''),
    enabled: Boolean(tubeCode),
  });

  // Only one round, or only one point of mine: chosen for the sampler. A remembered round or
  // point that is gone (deleted, out of the user's area now) is forgotten.
  // A cancelled round or a closed point (撤点) takes no scans: not offered, and forgotten if chosen.
  const roundItems = rounds.data?.items.filter((r) => !r.cancelledAt);
  useEffect(() => {
    if (roundId && roundItems && !roundItems.some((r) => r.id === roundId)) setPlace({});
    else if (!roundId && roundItems?.length === 1) setPlace({ roundId: roundItems[0].id });
  });
  const points = round.data?.points;
  // A closed point (撤点) takes no scans, but its tubes are still sealed and handed over from it:
  // it stays choosable, never chosen for the sampler.
  const openPoints = points?.filter((point) => !point.closedAt);
  const pointClosed = Boolean(points?.find((point) => point.id === pointId)?.closedAt);
  useEffect(() => {
    if (!points || !openPoints) return;
    if (pointId && !points.some((point) => point.id === pointId)) setPlace({ roundId });
    if (pointId) return;
    const mine = openPoints.filter((point) => point.samplers.some((sampler) => sampler.id === userId));
    const only = openPoints.length === 1 ? openPoints[0] : mine.length === 1 ? mine[0] : undefined;
    if (only) setPlace({ roundId, pointId: only.id });
  });

  const onDelivery = (delivery: ScanDelivery) => {
    onDeliveryOf(delivery);
    // Once the queue is through, not per scan: a backlog uploaded on a weak link would fetch the
    // tube and the point's tubes again for every scan in it. Whatever the last scan's fate.
    if (delivery.kind !== 'deferred' && recordedSinceRefresh.current && queue.getSnapshot().length === 0) {
      recordedSinceRefresh.current = false;
      void queryClient.invalidateQueries({ queryKey: ['test-tubes'] });
    }
  };
  const onDeliveryOf = (delivery: ScanDelivery) => {
    const { item: scan } = delivery;
    // Scans replayed from the queue are counted quietly: the buzz and the notice are for the
    // person in front of the sampler.
    const fresh = Date.now() - Date.parse(scan.scannedAt) < FRESH_SCAN_MS;
    if (delivery.kind === 'recorded') {
      const { answer } = delivery;
      setAnswers((all) => ({ ...all, [answer.tubeCode]: answer }));
      recordedSinceRefresh.current = true;
      const recordedIn = t('sampling.result.recordedIn', {
        tubeCode: answer.tubeCode,
        count: answer.memberCount,
        capacity: answer.capacity,
      });
      const sampled: Notice = {
        type: 'success',
        title: t('sampling.result.recorded', { name: answer.person.name }),
        // A recalled person taken alone: the sampler is told it was the pool's recheck.
        description: answer.recheckOf
          ? `${t('sampling.result.recheckOf', { tubeCode: answer.recheckOf })} ${recordedIn}`
          : recordedIn,
      };
      if (answer.sealed && answer.tubeCode === tubeCode) {
        vibrate(80);
        nextTube({
          ...sampled,
          type: 'warning',
          description: [
            answer.recheckOf && t('sampling.result.recheckOf', { tubeCode: answer.recheckOf }),
            t('sampling.tube.autoSealed', { tubeCode: answer.tubeCode, count: answer.memberCount }),
          ]
            .filter(Boolean)
            .join(' '),
        });
      } else if (fresh) {
        vibrate(80);
        setNotice(sampled);
      }
    } else if (delivery.kind === 'rejected') {
      // Kept in the queue's refused list (shown below) until dismissed; told at once too.
      vibrate([120, 80, 120]);
      const error = delivery.error;
      const code = error instanceof ApiError ? error.code : '';
      const earlierTube = error instanceof ApiError ? error.details.tubeCode : undefined;
      const refused: Notice =
        code === 'ALREADY_SAMPLED' && typeof earlierTube === 'string'
          ? {
              type: 'error',
              title: withPerson(error as ApiError, t('sampling.result.alreadySampled')),
              description: t('sampling.result.alreadySampledIn', { tubeCode: earlierTube }),
            }
          : { type: 'error', title: t('sampling.result.rejected'), description: describeScanError(error) };
      // The tube cannot take this person: a new tube is the way on (the person scans again into it).
      if (['TUBE_FULL', 'TUBE_SEALED', 'TUBE_OF_OTHER_POINT'].includes(code) && scan.tubeCode === tubeCode)
        nextTube(refused);
      else setNotice(refused);
      // The sighting is not forgotten: a code left in view would be sent, and refused, again and again.
    } else if (delivery.item.attempts === 1) {
      setNotice({
        type: 'warning',
        title: t('sampling.result.queued'),
        description: delivery.item.lastError,
      });
    }
  };

  const { queue, items: pending, refused } = useScanQueue(userId, onDelivery);

  // Sealed meanwhile (from another phone, or the tube list): the next tube is needed.
  const sealedElsewhere = tube.data?.sealed ? tube.data.tubeCode : undefined;
  useEffect(() => {
    if (sealedElsewhere && sealedElsewhere === tubeCode)
      nextTube({ type: 'info', title: t('sampling.tube.sealed', { tubeCode: sealedElsewhere }) });
  });

  const rememberedTube = tubeCode ? (answers[tubeCode] ?? undefined) : undefined;
  const pendingHere = pending.filter((scan) => scan.tubeCode === tubeCode && scan.pointId === pointId);
  const serverTube = tube.data ?? undefined;
  const capacity =
    serverTube?.capacity ??
    rememberedTube?.capacity ??
    (round.data ? TUBE_CAPACITY[round.data.defaultMode] : undefined);
  const counted = Math.max(serverTube?.memberCount ?? 0, rememberedTube?.memberCount ?? 0);
  const left = capacity === undefined ? undefined : Math.max(0, capacity - counted - pendingHere.length);

  const scanPerson = (raw: string, source: 'camera' | 'typed' | 'photo') => {
    if (!roundId || !pointId || pointClosed) return false;
    const personCode = personCodeFrom(raw);
    if (source === 'camera') {
      // The camera reports what is in view several times a second: each code once per tube.
      const sighting = `${tubeCode ?? ''}|${personCode || raw}`;
      if (cameraSeen.current.has(sighting)) return false;
      cameraSeen.current.add(sighting);
    }
    if (!personCode) {
      // A payment code, a health code, a tube's label: said so, not sent to be refused later.
      setNotice({ type: 'warning', title: t('sampling.person.notACode') });
      return false;
    }
    if (!tubeCode) {
      // A code held up while no tube is in hand: the camera ignores it, a typed one is told why.
      if (source !== 'camera') setNotice({ type: 'warning', title: t('sampling.person.needTube') });
      return false;
    }
    // Offline, the server cannot say "already sampled": a person already waiting in the queue for
    // this round is told at once, and takes no second place in a tube.
    const waitingAlready = queue
      .getSnapshot()
      .find((scan) => scan.roundId === roundId && scan.personCode === personCode);
    if (waitingAlready) {
      vibrate([120, 80, 120]);
      setNotice({
        type: 'error',
        title: t('sampling.result.alreadySampled'),
        description: t('sampling.result.alreadyQueued', { tubeCode: waitingAlready.tubeCode }),
      });
      return false;
    }
    queue.add({
      clientId: newClientId(),
      roundId,
      pointId,
      personCode,
      tubeCode,
      scannedAt: new Date().toISOString(),
    });
    // Nobody answers "full" while scans wait (offline, or a slow network with scans ahead of this
    // one): the phone counts the tube full itself, so the next swab goes into a new tube.
    // Online with nothing ahead of it, the server's answer says whether it filled the tube (and a
    // refused last person leaves it open, to be filled).
    const waiting = !navigator.onLine || queue.getSnapshot().length > 1;
    const full = waiting && capacity !== undefined && counted + pendingHere.length + 1 >= capacity;
    if (full) {
      vibrate(80);
      nextTube({ type: 'warning', title: t('sampling.tube.fullOffline', { tubeCode }) });
    } else if (!navigator.onLine || queue.getSnapshot().length > 1) {
      vibrate(80);
      setNotice({ type: 'warning', title: t('sampling.result.queued'), description: shortCode(personCode) });
    }
    void queue.upload();
    return true;
  };

  const chooseRound = (id: string) => {
    setPlace({ roundId: id });
    cameraSeen.current.clear();
    setNotice(undefined);
  };
  const choosePoint = (id: string) => {
    setPlace({ roundId, pointId: id });
    setNotice(undefined);
  };

  // The district's day, as the server checks a scan's day.
  const today = localDay();
  const roundState = (r: TestRound) =>
    today < r.startsOn ? t('sampling.place.notStarted') : today > r.endsOn ? t('sampling.place.ended') : null;
  const sortedPoints = [...(points ?? [])].sort((a, b) => {
    const mine = (p: typeof a) => (p.samplers.some((sampler) => sampler.id === userId) ? 0 : 1);
    const closed = (p: typeof a) => (p.closedAt ? 1 : 0);
    return closed(a) - closed(b) || mine(a) - mine(b) || a.name.localeCompare(b.name, 'zh-CN');
  });
  // Until the lists load (or when offline) the remembered choice still shows by its id's option.
  const roundOptions = (roundItems ?? []).map((r) => ({
    value: r.id,
    label: (
      <Flex gap={4} align="center" style={{ minWidth: 0 }}>
        <span style={{ overflow: 'hidden', textOverflow: 'ellipsis' }}>{r.name}</span>
        {roundState(r) && <Tag style={{ marginInlineEnd: 0 }}>{roundState(r)}</Tag>}
      </Flex>
    ),
    title: r.name,
  }));
  const pointOptions = sortedPoints.map((p) => ({
    value: p.id,
    label: (
      <Flex gap={4} align="center" style={{ minWidth: 0 }}>
        <Flex vertical style={{ minWidth: 0 }}>
          <span style={{ overflow: 'hidden', textOverflow: 'ellipsis' }}>{p.name}</span>
          {/* The place under the name, whole: on a phone it was cut off after a few characters. */}
          {p.place && (
            <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: 'normal' }}>
              {p.place}
            </Typography.Text>
          )}
        </Flex>
        {p.closedAt ? (
          <Tag color="red" style={{ marginInlineEnd: 0 }}>
            {t('sampling.place.closed')}
          </Tag>
        ) : (
          p.samplers.some((sampler) => sampler.id === userId) && (
            <Tag color="blue" style={{ marginInlineEnd: 0 }}>
              {t('sampling.place.mine')}
            </Tag>
          )
        )}
      </Flex>
    ),
    title: p.name,
  }));

  return (
    // Gloved fingers at a collection point: every control of the page at antd's large size (40 px).
    <ConfigProvider componentSize="large">
      <Flex vertical gap={12} style={{ maxWidth: 640, margin: '0 auto' }}>
        <Flex justify="space-between" align="center" gap={8} wrap>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t('sampling.title')}
          </Typography.Title>
          <Space size={4}>
            <Tag color={online ? 'success' : 'default'} data-testid="sampling-online">
              {online ? t('sampling.queue.online') : t('sampling.queue.offline')}
            </Tag>
            <Tag
              color={pending.length > 0 ? 'orange' : 'default'}
              icon={<CloudUploadOutlined />}
              data-testid="sampling-queue-count"
            >
              {t('sampling.queue.count', { count: pending.length })}
            </Tag>
          </Space>
        </Flex>

        <Card size="small">
          {rounds.error && (
            <Alert type="error" showIcon title={rounds.error.message} style={{ marginBottom: 8 }} />
          )}
          <Flex vertical gap={8}>
            <label htmlFor="sampling-round">
              <Typography.Text type="secondary">{t('sampling.place.round')}</Typography.Text>
            </label>
            <Select
              id="sampling-round"
              value={roundId}
              onChange={chooseRound}
              options={roundOptions}
              loading={rounds.isPending}
              placeholder={t('sampling.place.pickRound')}
              notFoundContent={t('sampling.place.noRounds')}
              optionLabelProp="title"
              style={{ width: '100%' }}
              data-testid="sampling-round"
            />
            {round.data && (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('sampling.place.dates', { startsOn: round.data.startsOn, endsOn: round.data.endsOn })} ·{' '}
                {nameIn(i18n.language, SAMPLING_MODE_NAMES[round.data.defaultMode])}
              </Typography.Text>
            )}
            <label htmlFor="sampling-point">
              <Typography.Text type="secondary">{t('sampling.place.point')}</Typography.Text>
            </label>
            <Select
              id="sampling-point"
              value={pointId}
              onChange={choosePoint}
              options={pointOptions}
              disabled={!roundId}
              loading={round.isFetching}
              placeholder={t('sampling.place.pickPoint')}
              notFoundContent={t('sampling.place.noPoints')}
              optionLabelProp="title"
              style={{ width: '100%' }}
              data-testid="sampling-point"
            />
          </Flex>
        </Card>

        {roundId && pointId && (
          <>
            <TubeCard
              tubeCode={tubeCode}
              roundId={roundId}
              pointId={pointId}
              tube={serverTube}
              loading={tube.isFetching}
              counted={counted}
              capacity={capacity}
              left={left}
              pendingHere={pendingHere.length}
              inputRef={tubeInput}
              onUse={(code) => {
                setTube({ pointId, tubeCode: code });
                setNotice(undefined);
              }}
              onRefused={(why) => setNotice(why)}
              onSealed={(code) =>
                nextTube({ type: 'info', title: t('sampling.tube.sealed', { tubeCode: code }) })
              }
              onChange={() => nextTube({ type: 'info', title: t('sampling.tube.scanHint') })}
            />

            {notice && (
              <Alert
                key={notice.seq}
                type={notice.type}
                showIcon
                icon={
                  notice.type === 'success' ? (
                    <CheckCircleFilled />
                  ) : notice.type === 'error' ? (
                    <CloseCircleFilled />
                  ) : undefined
                }
                title={<span style={{ fontSize: 16, fontWeight: 600 }}>{notice.title}</span>}
                description={notice.description}
                closable={{ afterClose: () => setNotice(undefined) }}
                data-testid="sampling-notice"
                data-type={notice.type}
              />
            )}

            {pointClosed ? (
              <Alert
                type="warning"
                showIcon
                title={t('sampling.place.closedHint')}
                data-testid="sampling-point-closed"
              />
            ) : (
              <PersonCard enabled={Boolean(tubeCode)} onCode={scanPerson} />
            )}

            {tubeCode && (
              <MembersCard
                tube={serverTube}
                loading={tube.isPending}
                online={online}
                // The last scan's answer would keep the count as it was before the removal.
                onRemoved={() => {
                  setAnswers(({ [tubeCode]: _removed, ...others }) => others);
                  // The camera may see the person again, back for the swab: not ignored as seen.
                  for (const sighting of cameraSeen.current)
                    if (sighting.startsWith(`${tubeCode}|`)) cameraSeen.current.delete(sighting);
                }}
              />
            )}

            {pending.length > 0 && (
              <Card
                size="small"
                title={t('sampling.queue.count', { count: pending.length })}
                extra={
                  <Button onClick={() => void queue.upload()} disabled={!online}>
                    {t('sampling.queue.upload')}
                  </Button>
                }
              >
                <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
                  {t('sampling.queue.hint')}
                </Typography.Paragraph>
                <Flex vertical gap={6} data-testid="sampling-queue">
                  {pending.map((scan) => (
                    <Flex key={scan.clientId} gap={8} align="baseline" wrap data-testid="sampling-queue-item">
                      <Typography.Text>{dayjs(scan.scannedAt).format('HH:mm:ss')}</Typography.Text>
                      <Tag>{scan.tubeCode}</Tag>
                      <Typography.Text code>{shortCode(scan.personCode)}</Typography.Text>
                      {scan.attempts > 0 && (
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {t('sampling.queue.attempts', { count: scan.attempts })}
                          {scan.lastError ? ` · ${scan.lastError}` : ''}
                        </Typography.Text>
                      )}
                      {/* A scan the server keeps failing on holds up the rest: the sampler may drop it. */}
                      {(scan.serverFailures ?? 0) >= DISCARD_AFTER_SERVER_FAILURES && (
                        <Popconfirm
                          title={t('sampling.queue.discardConfirm')}
                          onConfirm={() => {
                            queue.discard(scan.clientId);
                            // The person is to be scanned again: the camera must take the code again.
                            cameraSeen.current.delete(`${scan.tubeCode}|${scan.personCode}`);
                          }}
                        >
                          <Button type="link" danger>
                            {t('sampling.queue.discard')}
                          </Button>
                        </Popconfirm>
                      )}
                    </Flex>
                  ))}
                </Flex>
              </Card>
            )}

            {refused.length > 0 && (
              <Card
                size="small"
                title={t('sampling.rejections.title', { count: refused.length })}
                extra={
                  <Popconfirm
                    title={t('sampling.rejections.clearConfirm')}
                    onConfirm={() => queue.clearRefused()}
                  >
                    <Button type="link">{t('sampling.rejections.clear')}</Button>
                  </Popconfirm>
                }
              >
                <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
                  {t('sampling.rejections.hint')}
                </Typography.Paragraph>
                <Flex vertical gap={6} data-testid="sampling-rejections">
                  {refused.map(({ item: scan, message }) => (
                    <Flex key={scan.clientId} justify="space-between" align="center" gap={8}>
                      <Flex vertical style={{ minWidth: 0 }}>
                        <Typography.Text type="danger">{message}</Typography.Text>
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {dayjs(scan.scannedAt).format('HH:mm:ss')} · {scan.tubeCode} ·{' '}
                          {shortCode(scan.personCode)}
                        </Typography.Text>
                      </Flex>
                      <Button onClick={() => queue.dismissRefused(scan.clientId)}>
                        {t('sampling.rejections.dismiss')}
                      </Button>
                    </Flex>
                  ))}
                </Flex>
              </Card>
            )}

            <PointTubesCard
              roundId={roundId}
              pointId={pointId}
              currentTube={tubeCode}
              online={online}
              onUse={(code) => {
                setTube({ pointId, tubeCode: code });
                setNotice(undefined);
              }}
            />
          </>
        )}
      </Flex>
    </ConfigProvider>
  );
}

function TubeCard({
  tubeCode,
  roundId,
  pointId,
  tube,
  loading,
  counted,
  capacity,
  left,
  pendingHere,
  inputRef,
  onUse,
  onRefused,
  onSealed,
  onChange,
}: {
  tubeCode?: string;
  roundId: string;
  pointId: string;
  tube?: TubeDetail;
  loading: boolean;
  counted: number;
  capacity?: number;
  left?: number;
  pendingHere: number;
  inputRef: RefObject<InputRef | null>;
  onUse: (tubeCode: string) => void;
  onRefused: (why: Notice) => void;
  onSealed: (tubeCode: string) => void;
  onChange: () => void;
}) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const showError = useShowError();
  const [draft, setDraft] = useState('');
  const [invalid, setInvalid] = useState(false);
  const [checking, setChecking] = useState(false);

  // One client id per tube sealed, kept across taps: a seal whose answer was lost, tapped again,
  // answers as the first time instead of "already sealed".
  const sealIds = useIntentIds();
  const seal = useMutation({
    mutationFn: (code: string) =>
      api.post<Tube>(`/sampling/tubes/${encodeURIComponent(code)}/seal`, {
        clientId: sealIds.idFor({ seal: code }),
      }),
    onSuccess: (sealed) => {
      void queryClient.invalidateQueries({ queryKey: ['test-tubes'] });
      onSealed(sealed.tubeCode);
    },
    onError: (error, code) => {
      // Sealed meanwhile (another phone, or this one's earlier try): the tube is done with either way.
      if (error instanceof ApiError && error.code === 'TUBE_SEALED') {
        void queryClient.invalidateQueries({ queryKey: ['test-tubes'] });
        onSealed(code);
      } else showError(error);
    },
  });

  /** Takes up a tube: refused at once if the server knows it sealed or elsewhere; offline, taken on trust. */
  const use = async () => {
    const code = cleanTubeCode(draft);
    if (!TUBE_CODE_PATTERN.test(code)) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    if (navigator.onLine) {
      setChecking(true);
      try {
        const known = await fetchTube(code);
        queryClient.setQueryData(tubeKey(code), known);
        if (known && (known.pointId !== pointId || known.roundId !== roundId)) {
          onRefused({ type: 'error', title: t('sampling.tube.otherPoint', { tubeCode: code }) });
          return;
        }
        if (known?.sealed) {
          onRefused({ type: 'error', title: t('sampling.tube.alreadySealed', { tubeCode: code }) });
          return;
        }
      } catch {
        // The server will check each scan anyway.
      } finally {
        setChecking(false);
      }
    }
    setDraft('');
    onUse(code);
  };

  if (!tubeCode) {
    return (
      <Card size="small" title={t('sampling.tube.title')}>
        <Space.Compact style={{ width: '100%' }}>
          <Input
            ref={inputRef}
            size="large"
            value={draft}
            onChange={(event) => {
              setDraft(event.target.value);
              setInvalid(false);
            }}
            onPressEnter={() => void use()}
            placeholder={t('sampling.tube.scanHint')}
            status={invalid ? 'error' : undefined}
            autoFocus
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            enterKeyHint="go"
            aria-label={t('sampling.tube.code')}
            data-testid="sampling-tube-input"
          />
          <Button
            size="large"
            type="primary"
            loading={checking}
            onClick={() => void use()}
            data-testid="sampling-tube-submit"
          >
            {t('sampling.tube.use')}
          </Button>
        </Space.Compact>
        {invalid && (
          <Typography.Text type="danger" style={{ display: 'block', marginTop: 4 }}>
            {t('sampling.tube.invalid')}
          </Typography.Text>
        )}
      </Card>
    );
  }

  const canSeal = Boolean(tube && tube.memberCount > 0 && !tube.sealed);
  return (
    <Card
      size="small"
      title={t('sampling.tube.title')}
      extra={
        <Button icon={<SwapOutlined />} onClick={onChange} data-testid="sampling-tube-change">
          {t('sampling.tube.change')}
        </Button>
      }
      data-testid="sampling-current-tube"
    >
      <Flex justify="space-between" align="center" gap={8} wrap>
        <Flex vertical gap={2} style={{ minWidth: 0 }}>
          <Typography.Text
            strong
            style={{ fontSize: 22, wordBreak: 'break-all' }}
            data-testid="sampling-tube-code"
          >
            {tubeCode}
          </Typography.Text>
          <Flex gap={4} wrap>
            {tube ? (
              <Tag color="blue">{nameIn(i18n.language, SAMPLING_MODE_NAMES[tube.mode])}</Tag>
            ) : (
              // Not "nobody yet" while this phone's scans into it wait to go up (offline).
              !loading && pendingHere === 0 && <Tag>{t('sampling.tube.fresh')}</Tag>
            )}
            {capacity !== undefined && (
              <Tag data-testid="sampling-tube-count">
                {pendingHere > 0
                  ? t('sampling.tube.countedWaiting', { count: counted, capacity, waiting: pendingHere })
                  : t('sampling.tube.counted', { count: counted, capacity })}
              </Tag>
            )}
          </Flex>
        </Flex>
        {left !== undefined && (
          <Typography.Text
            strong
            style={{ fontSize: 20, color: left <= 1 ? '#d4380d' : undefined }}
            data-testid="sampling-tube-left"
          >
            {t('sampling.tube.left', { count: left })}
          </Typography.Text>
        )}
      </Flex>
      <Popconfirm
        title={t('sampling.tube.sealConfirm')}
        onConfirm={() => seal.mutate(tubeCode)}
        disabled={!canSeal || pendingHere > 0}
      >
        <Button
          block
          icon={<LockOutlined />}
          disabled={!canSeal || pendingHere > 0}
          loading={seal.isPending}
          style={{ marginTop: 12 }}
          data-testid="sampling-seal"
        >
          {t('sampling.tube.seal')}
        </Button>
      </Popconfirm>
      {pendingHere > 0 && (
        <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block', marginTop: 4 }}>
          {t('sampling.tube.sealWaiting')}
        </Typography.Text>
      )}
    </Card>
  );
}

function PersonCard({
  enabled,
  onCode,
}: {
  enabled: boolean;
  onCode: (text: string, source: 'camera' | 'typed' | 'photo') => boolean;
}) {
  const { t } = useTranslation();
  const [typed, setTyped] = useState('');
  const [photoError, setPhotoError] = useState<string>();
  const [reading, setReading] = useState(false);
  const photoInput = useRef<HTMLInputElement>(null);

  const submitTyped = () => {
    if (typed.trim() === '') return;
    if (onCode(typed, 'typed')) setTyped('');
  };

  const readPhoto = async (file: File | undefined) => {
    if (!file) return;
    setPhotoError(undefined);
    setReading(true);
    try {
      const text = await readQrFromFile(file);
      if (text) onCode(text, 'photo');
      else setPhotoError(t('sampling.person.noCodeInPhoto'));
    } catch (error) {
      setPhotoError(
        t('sampling.person.photoFailed', { message: error instanceof Error ? error.message : '' }),
      );
    } finally {
      setReading(false);
      // The same photo chosen again is a change too.
      if (photoInput.current) photoInput.current.value = '';
    }
  };

  return (
    <Card size="small" title={t('sampling.person.title')}>
      <Flex vertical gap={8} style={enabled ? undefined : { opacity: 0.5, pointerEvents: 'none' }}>
        <CameraScanner onCode={(text) => onCode(text, 'camera')} />
        <Space.Compact style={{ width: '100%' }}>
          <Input
            size="large"
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
            onPressEnter={submitTyped}
            placeholder={t('sampling.person.typed')}
            autoComplete="off"
            autoCapitalize="off"
            spellCheck={false}
            enterKeyHint="send"
            aria-label={t('sampling.person.typed')}
            disabled={!enabled}
            data-testid="sampling-person-input"
          />
          <Button
            size="large"
            type="primary"
            ghost
            onClick={submitTyped}
            disabled={!enabled}
            data-testid="sampling-person-submit"
          >
            {t('sampling.person.submit')}
          </Button>
        </Space.Compact>
        <Button
          size="large"
          block
          icon={<PictureOutlined />}
          loading={reading}
          disabled={!enabled}
          onClick={() => photoInput.current?.click()}
        >
          {t('sampling.person.photo')}
        </Button>
        <input
          ref={photoInput}
          type="file"
          accept="image/*"
          capture="environment"
          hidden
          onChange={(event) => void readPhoto(event.target.files?.[0])}
          data-testid="sampling-photo-input"
        />
        {photoError && <Alert type="warning" showIcon title={photoError} />}
      </Flex>
    </Card>
  );
}

function MembersCard({
  tube,
  loading,
  online,
  onRemoved,
}: {
  tube?: TubeDetail;
  loading: boolean;
  online: boolean;
  onRemoved: () => void;
}) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  // Someone scanned by mistake (the wrong code, or gone before the swab), while the tube is open.
  // One client id per removal, kept across taps: a second tap after a lost answer replays the first
  // instead of answering that the person is not in the tube.
  const removalIds = useIntentIds();
  const remove = useMutation({
    mutationFn: (member: TubeDetail['members'][number]) => {
      const tubeCode = tube?.tubeCode ?? '';
      return api.post<Tube>(
        `/sampling/tubes/${encodeURIComponent(tubeCode)}/members/${member.personId}/remove`,
        {
          clientId: removalIds.idFor({ tubeCode, personId: member.personId }),
          reason: t('sampling.tube.removeReason'),
        },
      );
    },
    onSuccess: (_tube, member) => {
      removalIds.settle();
      onRemoved();
      void message.success(t('sampling.tube.removed', { name: member.name }));
      void queryClient.invalidateQueries({ queryKey: ['test-tubes'] });
    },
    onError: (error) => void message.error(refusalText(error, i18n.language)),
  });
  const removable = Boolean(tube && !tube.sealed && online);
  return (
    <Card size="small" title={t('sampling.tube.members')} loading={loading && !tube && online}>
      {!tube && !online ? (
        <Typography.Text type="secondary">{t('sampling.offlineList')}</Typography.Text>
      ) : tube && tube.members.length > 0 ? (
        <ol style={{ margin: 0, paddingInlineStart: 24 }} data-testid="sampling-members">
          {tube.members.map((member) => (
            <li key={`${member.scannedAt}-${member.name}`} data-testid="sampling-member">
              <Flex justify="space-between" align="center" gap={8}>
                <Typography.Text strong>{member.name}</Typography.Text>
                <Flex align="center" gap={4}>
                  <Typography.Text type="secondary">
                    {member.scannedAt ? dayjs(member.scannedAt).format('HH:mm:ss') : ''}
                    {member.samplerName ? ` · ${member.samplerName}` : ''}
                  </Typography.Text>
                  {removable && (
                    <Popconfirm
                      title={t('sampling.tube.removeConfirm', { name: member.name })}
                      okText={t('sampling.tube.remove')}
                      okButtonProps={{ danger: true }}
                      cancelText={t('common.cancel')}
                      onConfirm={() => remove.mutateAsync(member)}
                    >
                      <Button type="link" danger data-testid="sampling-member-remove">
                        {t('sampling.tube.remove')}
                      </Button>
                    </Popconfirm>
                  )}
                </Flex>
              </Flex>
            </li>
          ))}
        </ol>
      ) : (
        <Typography.Text type="secondary" data-testid="sampling-members-empty">
          {t('sampling.tube.noMembers')}
        </Typography.Text>
      )}
    </Card>
  );
}

/** The point's recent tubes: go back to an open one, or send sealed ones to the lab. */
function PointTubesCard({
  roundId,
  pointId,
  currentTube,
  online,
  onUse,
}: {
  roundId: string;
  pointId: string;
  currentTube?: string;
  online: boolean;
  onUse: (tubeCode: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const showError = useShowError();
  const [chosen, setChosen] = useState<string[]>([]);
  // The last hand-over, kept on screen: what the courier carries, to which lab, when.
  const [handedOver, setHandedOver] = useState<{
    count: number;
    labName: string;
    at: string;
    codes: string[];
  }>();
  const [pickedLab, setPickedLab] = useState(() => localStorage.getItem(LAB_KEY) ?? '');
  const labs = useQuery(labsQuery);
  const activeLabs = (labs.data?.items ?? []).filter((lab) => lab.active);
  // The lab picked last time while it still takes tubes; the only one when there is one.
  const labId = activeLabs.some((lab) => lab.id === pickedLab)
    ? pickedLab
    : activeLabs.length === 1
      ? (activeLabs[0] as Lab).id
      : '';
  const tubes = useQuery({
    queryKey: ['test-tubes', 'of-point', roundId, pointId],
    queryFn: () => api.get<{ items: Tube[] }>(`/test-rounds/${roundId}/points/${pointId}/tubes`),
  });
  // One client id per hand-over (these tubes to this lab), kept across taps: a retry after a lost
  // answer answers as the first time instead of "not sealed or already sent".
  const handOverIds = useIntentIds();
  // What is sent (the tubes ticked, the lab picked at the tap), not what is ticked when it answers.
  const handOver = useMutation({
    mutationFn: (sent: { labId: string; labName: string; tubeCodes: string[] }) => {
      const body = { roundId, labId: sent.labId, tubeCodes: sent.tubeCodes };
      return api.post<{ id: string; tubeCount: number }>('/sampling/handovers', {
        ...body,
        clientId: handOverIds.idFor(body),
      });
    },
    onSuccess: (handover, sent) => {
      localStorage.setItem(LAB_KEY, sent.labId);
      handOverIds.settle();
      setHandedOver({
        count: handover.tubeCount,
        labName: sent.labName,
        at: dayjs().format('HH:mm'),
        codes: sent.tubeCodes,
      });
      setChosen((ticked) => ticked.filter((code) => !sent.tubeCodes.includes(code)));
      void message.success(t('sampling.tubes.handedOver', { count: handover.tubeCount }));
      void queryClient.invalidateQueries({ queryKey: ['test-tubes'] });
    },
    onError: (error) => showError(error),
  });

  const items = tubes.data?.items ?? [];
  const sealed = items.filter((item) => item.state === 'sealed').map((item) => item.tubeCode);
  // The tubes still in the sampler's hands (open, sealed) are listed; those sent are counted, and
  // listed on request: a busy point's 200 tubes made the page ten thousand pixels long.
  const [showSent, setShowSent] = useState(false);
  const atHand = items.filter((item) => item.state === 'opened' || item.state === 'sealed');
  const sent = items.length - atHand.length;
  const stateName = (state: string) =>
    state in TUBE_STATE_NAMES ? nameIn(i18n.language, TUBE_STATE_NAMES[state as TubeState]) : state;

  return (
    <Card size="small" title={t('sampling.tubes.title')} loading={tubes.isPending && online}>
      {tubes.error && online && <Alert type="error" showIcon title={tubes.error.message} />}
      {!tubes.data && !online ? (
        <Typography.Text type="secondary">{t('sampling.offlineList')}</Typography.Text>
      ) : items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('sampling.tubes.none')} />
      ) : (
        <Flex vertical gap={8}>
          <Flex vertical gap={4} data-testid="sampling-point-tubes">
            {(showSent ? items : atHand).map((item) => (
              // A row a thumb can hit (40 px): the code is the checkbox's label, so tapping it ticks.
              <Flex key={item.id} align="center" gap={8} wrap style={{ minHeight: 40 }}>
                <Checkbox
                  checked={chosen.includes(item.tubeCode)}
                  disabled={item.state !== 'sealed'}
                  onChange={(event) =>
                    setChosen((list) =>
                      event.target.checked
                        ? [...list, item.tubeCode]
                        : list.filter((code) => code !== item.tubeCode),
                    )
                  }
                  aria-label={item.tubeCode}
                  style={{ padding: '8px 0' }}
                >
                  <Typography.Text strong={item.tubeCode === currentTube} style={{ minWidth: 0 }}>
                    {item.tubeCode}
                  </Typography.Text>
                </Checkbox>
                <Typography.Text type="secondary">
                  {item.memberCount}/{item.capacity}
                </Typography.Text>
                <Tag
                  color={item.state === 'opened' ? 'processing' : undefined}
                  style={{ marginInlineEnd: 0 }}
                >
                  {stateName(item.state)}
                </Tag>
                {item.state === 'opened' && item.tubeCode !== currentTube && (
                  <Button onClick={() => onUse(item.tubeCode)}>{t('sampling.tubes.use')}</Button>
                )}
              </Flex>
            ))}
            {sent > 0 && (
              <Flex justify="space-between" align="center" gap={8} style={{ minHeight: 40 }}>
                <Typography.Text type="secondary">
                  {t('sampling.tubes.sentCount', { count: sent })}
                </Typography.Text>
                <Button type="link" onClick={() => setShowSent(!showSent)} data-testid="sampling-show-sent">
                  {showSent ? t('sampling.tubes.hideSent') : t('sampling.tubes.showSent')}
                </Button>
              </Flex>
            )}
          </Flex>
          <Flex justify="space-between" align="center" gap={8}>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('sampling.tubes.pickSealed')}
            </Typography.Text>
            {sealed.length > 1 && (
              <Button
                onClick={() => setChosen(chosen.length === sealed.length ? [] : sealed)}
                data-testid="sampling-pick-all"
              >
                {chosen.length === sealed.length
                  ? t('sampling.tubes.pickNone')
                  : t('sampling.tubes.pickAll', { count: sealed.length })}
              </Button>
            )}
          </Flex>
          <Space.Compact style={{ width: '100%' }}>
            <Select
              value={labId || undefined}
              onChange={setPickedLab}
              options={activeLabs.map((lab) => ({ value: lab.id, label: lab.name }))}
              placeholder={t('sampling.tubes.labName')}
              aria-label={t('sampling.tubes.labName')}
              loading={labs.isPending && online}
              notFoundContent={t('sampling.tubes.noLabs')}
              style={{ flex: 1, minWidth: 0 }}
              data-testid="sampling-lab"
            />
            <Button
              type="primary"
              disabled={chosen.length === 0 || labId === ''}
              loading={handOver.isPending}
              onClick={() =>
                handOver.mutate({
                  labId,
                  labName: activeLabs.find((lab) => lab.id === labId)?.name ?? '',
                  tubeCodes: [...chosen].sort(),
                })
              }
              data-testid="sampling-handover"
            >
              {t('sampling.tubes.handover')}
              {chosen.length > 0 ? ` (${chosen.length})` : ''}
            </Button>
          </Space.Compact>
          {handedOver && (
            <Alert
              type="success"
              showIcon
              closable
              onClose={() => setHandedOver(undefined)}
              title={t('sampling.tubes.handedOverTo', handedOver)}
              description={listed(handedOver.codes, i18n.language)}
              data-testid="sampling-handover-done"
            />
          )}
        </Flex>
      )}
    </Card>
  );
}
