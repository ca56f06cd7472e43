// The session lives in memory only (never in storage): a new launch logs in again with wx.login.
App({
  globalData: { token: null, level: null }
});
