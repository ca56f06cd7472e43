// What a city sets before uploading (see README.md): its gateway's public URL (also in the mini-program's
// request domain whitelist), the app id the gateway is configured with, and the default region.
module.exports = {
  gatewayBaseUrl: 'https://gov.example.cn',
  appId: '2021000000000001',
  region: '330100'
};
