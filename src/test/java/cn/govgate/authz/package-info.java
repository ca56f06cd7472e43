/**
 * The authorisation matrix: every route the gateway's routers serve, refused to every principal
 * that must not pass ({@code AuthorizationMatrixTest}).
 */
package cn.govgate.authz;
