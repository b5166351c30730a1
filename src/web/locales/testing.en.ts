/** Strings of the testing pages (en); the same keys as testing.zh.ts. */
const testing = {
  title: 'Mass testing',
};

export default testing;
