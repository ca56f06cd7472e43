const api = require('../../utils/api');
const config = require('../../config');

Page({
  data: { level: null, name: '', idNumber: '', message: '' },

  onName(e) { this.setData({ name: e.detail.value }); },
  onIdNumber(e) { this.setData({ idNumber: e.detail.value }); },

  // my.getAuthCode gives a one-time code; govgate exchanges it server-side and answers an L1 session.
  login() {
    my.getAuthCode({
      scopes: ['auth_base'],
      success: res => api.request('POST', '/v1/sessions', { channel: 'alipay', appId: config.appId, authCode: res.authCode })
        .then(session => this.signedIn(session))
        .catch(err => this.setData({ message: api.describe(err) })),
      fail: () => this.setData({ message: '未能获取授权，请重试。' })
    });
  },

  // Real name (L2, from Alipay's certified name when it matches) and the face check through Alipay's certify
  // service; govgate asks Alipay for the result itself and re-issues the session at L3.
  stepUp() {
    api.request('POST', '/v1/identity/verifications', { name: this.data.name, idNumber: this.data.idNumber })
      .then(v => {
        if (v.session) this.signedIn(v.session);
        my.call('startBizService', {
          name: 'open-certify',
          param: JSON.stringify({ certifyId: v.clientParams.certifyId, url: v.clientParams.certifyUrl })
        }, () => api.request('POST', `/v1/identity/verifications/${v.verificationId}/complete`)
          .then(session => this.signedIn(session))
          .catch(err => this.setData({ message: api.describe(err) })));
      })
      .catch(err => this.setData({ message: api.describe(err) }));
  },

  signedIn(session) {
    getApp().globalData.token = session.token;
    getApp().globalData.level = session.level;
    this.setData({ level: session.level, message: '' });
  },

  goFines() { my.navigateTo({ url: '/pages/fines/fines' }); },
  goCases() { my.navigateTo({ url: '/pages/cases/cases' }); }
});
