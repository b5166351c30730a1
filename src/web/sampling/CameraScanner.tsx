import { CameraOutlined, PoweroffOutlined } from '@ant-design/icons';
import { Alert, Button, Flex, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { createQrReader } from './qrReader';

/** A video frame is read this often: enough for a queue of people, light on a cheap phone. */
const READ_EVERY_MS = 250;

type CameraState = 'off' | 'starting' | 'on';

/**
 * The back camera as a QR reader: every code seen is handed to `onCode`, again and again while it
 * stays in view (the page decides what a repeat means). Needs HTTPS or localhost; elsewhere it
 * says so and the page offers a photo or typing instead.
 */
export function CameraScanner({ onCode }: { onCode: (text: string) => void }) {
  const { t } = useTranslation();
  const video = useRef<HTMLVideoElement>(null);
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [state, setState] = useState<CameraState>('off');
  const [error, setError] = useState<string>();
  const onCodeRef = useRef(onCode);
  useEffect(() => {
    onCodeRef.current = onCode;
  });

  const start = async () => {
    setError(undefined);
    if (!navigator.mediaDevices?.getUserMedia) {
      setError(t('sampling.camera.unavailable'));
      return;
    }
    setState('starting');
    try {
      const opened = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
        audio: false,
      });
      setStream(opened);
      setState('on');
    } catch (failure) {
      setState('off');
      const name = failure instanceof DOMException ? failure.name : '';
      if (name === 'NotAllowedError' || name === 'SecurityError') setError(t('sampling.camera.denied'));
      else if (name === 'NotFoundError' || name === 'OverconstrainedError')
        setError(t('sampling.camera.none'));
      else
        setError(t('sampling.camera.failed', { message: failure instanceof Error ? failure.message : name }));
    }
  };

  const stop = () => {
    setStream(null);
    setState('off');
  };

  // The tracks end with the stream's use: on stop, and when the page is left.
  useEffect(() => {
    if (!stream) return;
    return () => {
      for (const track of stream.getTracks()) track.stop();
    };
  }, [stream]);

  useEffect(() => {
    const element = video.current;
    if (!stream || !element) return;
    element.srcObject = stream;
    void element.play().catch(() => {
      // Autoplay of a muted inline video is allowed; a refusal leaves the frame black, not broken.
    });
    const read = createQrReader();
    let stopped = false;
    let timer: number | undefined;
    const tick = async () => {
      if (stopped) return;
      if (element.readyState >= element.HAVE_CURRENT_DATA && document.visibilityState === 'visible') {
        const text = await read(element).catch(() => null);
        if (text && !stopped) onCodeRef.current(text);
      }
      if (!stopped) timer = window.setTimeout(tick, READ_EVERY_MS);
    };
    void tick();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      element.srcObject = null;
    };
  }, [stream]);

  return (
    <Flex vertical gap={8}>
      {state === 'off' ? (
        <Button
          type="primary"
          size="large"
          block
          icon={<CameraOutlined />}
          onClick={() => void start()}
          data-testid="sampling-camera-start"
        >
          {t('sampling.camera.start')}
        </Button>
      ) : (
        <Button
          size="large"
          block
          icon={<PoweroffOutlined />}
          loading={state === 'starting'}
          onClick={stop}
          data-testid="sampling-camera-stop"
        >
          {t('sampling.camera.stop')}
        </Button>
      )}
      {error && <Alert type="warning" showIcon title={error} data-testid="sampling-camera-error" />}
      <div
        style={{
          display: state === 'on' ? 'block' : 'none',
          position: 'relative',
          borderRadius: 8,
          overflow: 'hidden',
          background: '#000',
          aspectRatio: '4 / 3',
          maxHeight: '45vh',
        }}
      >
        <video
          ref={video}
          muted
          playsInline
          style={{ width: '100%', height: '100%', objectFit: 'cover', display: 'block' }}
          data-testid="sampling-camera-video"
        />
        {/* Where to hold the code: a square in the middle, the rest dimmed. */}
        <div
          style={{
            position: 'absolute',
            inset: 0,
            margin: 'auto',
            width: '60%',
            aspectRatio: '1',
            maxHeight: '80%',
            border: '3px solid rgba(255,255,255,0.9)',
            borderRadius: 12,
            boxShadow: '0 0 0 100vmax rgba(0,0,0,0.35)',
            pointerEvents: 'none',
          }}
        />
        <Typography.Text
          style={{
            position: 'absolute',
            left: 0,
            right: 0,
            bottom: 8,
            textAlign: 'center',
            color: '#fff',
            textShadow: '0 1px 2px #000',
          }}
        >
          {t('sampling.camera.aim')}
        </Typography.Text>
      </div>
    </Flex>
  );
}
