const api = require('../../utils/api');
const config = require('../../config');

Page({
  data: { vehicles: [], fines: [], stale: false, asOf: '', receipt: '', message: '' },

  onLoad() {
    api.request('GET', `/v1/traffic/vehicles?region=${config.region}`)
      .then(r => this.setData({ vehicles: r.data.vehicles, stale: r.stale, asOf: r.asOf }))
      .catch(err => this.setData({ message: api.describe(err) }));
  },

  showFines(e) {
    const car = this.data.vehicles[e.currentTarget.dataset.index];
    api.request('GET', `/v1/traffic/fines?region=${config.region}&plate=${encodeURIComponent(car.plate)}&plateType=${car.plateType}`)
      .then(r => this.setData({
        fines: r.data.fines.map(f => Object.assign({}, f, { amountYuan: (f.amountFen / 100).toFixed(2) })),
        stale: r.stale, asOf: r.asOf
      }))
      .catch(err => this.setData({ message: api.describe(err) }));
  },

  // govgate creates the order (the department confirms the amount) and answers the signed parameters for
  // wx.requestPayment; the receipt comes once WeChat Pay's notification reached govgate and the department booked it.
  pay(e) {
    const fine = this.data.fines[e.currentTarget.dataset.index];
    const key = api.idempotencyKey();
    api.request('POST', '/v1/payments', { billType: 'traffic_fine', region: config.region, decisionNumber: fine.decisionNumber }, { 'Idempotency-Key': key })
      .then(order => wx.requestPayment({
        timeStamp: order.clientParams.timeStamp,
        nonceStr: order.clientParams.nonceStr,
        package: order.clientParams.package,
        signType: order.clientParams.signType,
        paySign: order.clientParams.paySign,
        success: () => this.waitForReceipt(order.orderId, 0),
        fail: () => this.setData({ message: '支付未完成。' })
      }))
      .catch(err => this.setData({ message: api.describe(err) }));
  },

  waitForReceipt(orderId, attempt) {
    api.request('GET', `/v1/payments/${orderId}`).then(order => {
      if (order.receipt) this.setData({ receipt: order.receipt.receiptNo });
      else if (attempt < 20) setTimeout(() => this.waitForReceipt(orderId, attempt + 1), 1500);
      else this.setData({ message: '部门入账需要一点时间，稍后可在“我的办件”查看回执。' });
    });
  }
});
