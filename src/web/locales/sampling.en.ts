/** Strings of the sampling pages (en); the same keys as sampling.zh.ts. */
const sampling = {
  title: 'Sampling',
};

export default sampling;
