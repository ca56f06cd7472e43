// The session lives in memory only (never in storage): a new launch logs in again with my.getAuthCode.
App({
  globalData: { token: null, level: null }
});
