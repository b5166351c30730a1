/** Strings of the testing pages (zh). */
const testing = {
  title: '核酸检测',
};

export default testing;
