const api = require('../../utils/api');
const config = require('../../config');

Page({
  data: { level: null, name: '', idNumber: '', message: '' },

  onName(e) { this.setData({ name: e.detail.value }); },
  onIdNumber(e) { this.setData({ idNumber: e.detail.value }); },

  // wx.login gives a one-time code; govgate exchanges it (jscode2session) and answers an L1 session.
  login() {
    wx.login({
      success: res => api.request('POST', '/v1/sessions', { channel: 'wechat', appId: config.appId, authCode: res.code })
        .then(session => this.signedIn(session))
        .catch(err => this.setData({ message: api.describe(err) })),
      fail: () => this.setData({ message: '未能登录，请重试。' })
    });
  },

  // The name and ID number go to govgate, which asks WeChat for a verify_id (getverifyid); wx.requestFacialVerify
  // does the face check; govgate asks WeChat for the result itself (queryverifyinfo) and re-issues the session at L3.
  stepUp() {
    api.request('POST', '/v1/identity/verifications', { name: this.data.name, idNumber: this.data.idNumber })
      .then(v => wx.requestFacialVerify({
        verifyId: v.clientParams.verifyId,
        success: () => api.request('POST', `/v1/identity/verifications/${v.verificationId}/complete`)
          .then(session => this.signedIn(session))
          .catch(err => this.setData({ message: api.describe(err) })),
        fail: () => this.setData({ message: '刷脸未完成，请重试。' })
      }))
      .catch(err => this.setData({ message: api.describe(err) }));
  },

  signedIn(session) {
    getApp().globalData.token = session.token;
    getApp().globalData.level = session.level;
    this.setData({ level: session.level, message: '' });
  },

  goFines() { wx.navigateTo({ url: '/pages/fines/fines' }); },
  goCases() { wx.navigateTo({ url: '/pages/cases/cases' }); }
});
