/**
 * Department backends as the gateway sees them: registration, routing by (service type, region), health
 * checks, and the request authentication of every gateway-to-department call ({@link
 * cn.govgate.registry.DepartmentAuth}, see {@code contracts/department-backend.yaml}).
 */
package cn.govgate.registry;
