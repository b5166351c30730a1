/** Strings of the sampling pages (zh). */
const sampling = {
  title: '扫码采样',
};

export default sampling;
