/**
 * The citizen service families and what every service answer shares: the service catalogue (事项目录)
 * with its guides, the interactions that each answer records (the handle a 好差评 rating refers to),
 * and the small seams through which services learn who is calling ({@link
 * cn.govgate.services.CallerResolver}), what a region offers ({@link
 * cn.govgate.services.OfferedServices}) and whether a department admin may act ({@link
 * cn.govgate.services.DepartmentAccess}).
 *
 * <p>{@link cn.govgate.services.CitizenServiceRoutes} serves the four families (social security,
 * housing fund, traffic, utilities) from the registry's departments for the citizen of the session;
 * {@link cn.govgate.services.VehicleLookupLimit} bounds lookups of vehicles not registered to the
 * citizen.
 */
package cn.govgate.services;
