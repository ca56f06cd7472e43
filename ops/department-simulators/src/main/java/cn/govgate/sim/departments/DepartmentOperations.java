package cn.govgate.sim.departments;

import cn.govgate.sim.citizens.ResidentIds;
import cn.govgate.sim.citizens.SyntheticCitizen;
import cn.govgate.sim.departments.DepartmentData.Bill;
import cn.govgate.sim.departments.DepartmentData.Fine;
import cn.govgate.sim.departments.DepartmentData.HouseholdAccount;
import cn.govgate.sim.departments.DepartmentData.HousingFundProfile;
import cn.govgate.sim.departments.DepartmentData.Insurance;
import cn.govgate.sim.departments.DepartmentData.SocialSecurityProfile;
import cn.govgate.sim.departments.DepartmentData.Vehicle;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The business side of a simulator: request checks, lookups and in-memory payment state for one
 * (family, region). Handlers are synchronous CPU work; payments are serialised on this object
 * because the Java API and the event loop may touch them concurrently.
 */
final class DepartmentOperations {

  /** A refused request: HTTP status and contract error code. */
  static final class Refusal extends RuntimeException {
    private final int status;
    private final String code;

    Refusal(int status, String code, String message) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
    }

    int status() {
      return status;
    }

    String code() {
      return code;
    }
  }

  private record FineOwner(SyntheticCitizen citizen, Vehicle vehicle) {}

  private record AccountOwner(SyntheticCitizen citizen, HouseholdAccount account) {}

  private record Payment(
      String ref, String orderId, long amountFen, String receiptNo, OffsetDateTime paidAt) {}

  private static final Pattern YEAR_MONTH = Pattern.compile("\\d{4}-(0[1-9]|1[0-2])");
  private static final Pattern DECISION_NUMBER = Pattern.compile("\\d{16}");
  private static final Pattern ACCOUNT_NO = Pattern.compile("\\d{10}");
  private static final Pattern VIN_LAST6 = Pattern.compile("[0-9A-HJ-NPR-Z]{6}");
  private static final int MAX_RANGE_MONTHS = 36;

  private final DepartmentSimulatorOptions options;
  private final Map<String, SyntheticCitizen> citizens = new HashMap<>();
  private final Map<String, FineOwner> fineOwners = new HashMap<>();
  private final Map<String, FineOwner> vehicleOwners = new HashMap<>();
  private final Map<String, AccountOwner> accountOwners = new HashMap<>();
  private final Map<String, Payment> paymentsByRef = new HashMap<>();
  private final Map<String, Payment> paymentsByOrder = new HashMap<>();
  private final BookingLog bookingLog;
  private long receiptSequence;
  private long repeatedPayments;

  DepartmentOperations(DepartmentSimulatorOptions options) {
    this.options = options;
    this.bookingLog = options.bookingLog() == null ? null : BookingLog.open(options.bookingLog());
    if (bookingLog != null) {
      rebook(bookingLog.read());
    }
    for (SyntheticCitizen citizen : options.citizens()) {
      if (citizen.homeRegion().equals(options.region())) {
        citizens.putIfAbsent(citizen.idNumber(), citizen);
      }
    }
    LocalDate today = today();
    if (options.family() == DepartmentFamily.TRAFFIC) {
      indexVehicles(today);
    } else if (options.family() == DepartmentFamily.UTILITIES) {
      indexAccounts();
    }
  }

  private void indexVehicles(LocalDate today) {
    for (SyntheticCitizen citizen : citizens.values()) {
      for (Vehicle vehicle : DepartmentData.vehicles(citizen.idNumber(), today)) {
        FineOwner owner = new FineOwner(citizen, vehicle);
        vehicleOwners.putIfAbsent(
            vehicleKey(vehicle.plate(), vehicle.plateType(), vehicle.vinLast6()), owner);
        for (Fine fine : DepartmentData.fines(citizen.idNumber(), vehicle, today)) {
          fineOwners.putIfAbsent(fine.decisionNumber(), owner);
        }
      }
    }
  }

  private void indexAccounts() {
    for (SyntheticCitizen citizen : citizens.values()) {
      for (HouseholdAccount account : DepartmentData.accounts(citizen.idNumber())) {
        accountOwners.putIfAbsent(account.accountNo(), new AccountOwner(citizen, account));
      }
    }
  }

  /**
   * The payments of an earlier run of this simulator, from its ledger: known again, receipts
   * continue after them.
   */
  private void rebook(List<BookingLog.Booking> ledger) {
    for (BookingLog.Booking b : ledger) {
      if (b.repeat()) continue;
      Payment p =
          new Payment(
              b.ref(), b.orderId(), b.amountFen(), b.receiptNo(), OffsetDateTime.parse(b.paidAt()));
      paymentsByRef.put(p.ref(), p);
      paymentsByOrder.put(p.orderId(), p);
      receiptSequence =
          Math.max(
              receiptSequence, Long.parseLong(b.receiptNo().substring(b.receiptNo().length() - 6)));
    }
  }

  /**
   * Whether payments are booked in a ledger file (then their requests must be served off the event
   * loop).
   */
  boolean booksDurably() {
    return bookingLog != null;
  }

  /** Payment requests answered from an earlier booking of the same order (repeated deliveries). */
  synchronized long repeatedPayments() {
    return repeatedPayments;
  }

  /** Orders booked so far (this run and, with a ledger, earlier ones). */
  synchronized int bookedPayments() {
    return paymentsByOrder.size();
  }

  void close() {
    if (bookingLog != null) bookingLog.close();
  }

  List<HouseholdAccount> accountsOf(SyntheticCitizen citizen) {
    return DepartmentData.accounts(citizen.idNumber()).stream()
        .filter(
            a -> {
              AccountOwner owner = accountOwners.get(a.accountNo());
              return owner != null && owner.citizen().idNumber().equals(citizen.idNumber());
            })
        .toList();
  }

  List<Vehicle> vehiclesOf(SyntheticCitizen citizen) {
    return citizens.containsKey(citizen.idNumber())
        ? DepartmentData.vehicles(citizen.idNumber(), today())
        : List.of();
  }

  JsonObject handle(String operation, JsonObject request) {
    String expectedType = options.family().wireName() + "." + operation;
    if (!expectedType.equals(request.getValue("serviceType"))) {
      throw badRequest("serviceType must be " + expectedType);
    }
    if (!options.region().equals(request.getValue("region"))) {
      throw badRequest("This backend serves region " + options.region() + " only");
    }
    if (!(request.getValue("query") instanceof JsonObject query)) {
      throw badRequest("query must be an object");
    }
    if (request.containsKey("citizen") && !(request.getValue("citizen") instanceof JsonObject)) {
      throw badRequest("citizen must be an object");
    }
    JsonObject citizenJson = request.getJsonObject("citizen");
    return switch (expectedType) {
      case "social-security.account" -> socialSecurityAccount(requireCitizen(citizenJson));
      case "social-security.contributions" ->
          socialSecurityContributions(requireCitizen(citizenJson), query);
      case "housing-fund.account" -> housingFundAccount(requireCitizen(citizenJson));
      case "housing-fund.contributions" ->
          housingFundContributions(requireCitizen(citizenJson), query);
      case "housing-fund.proof-data" -> housingFundProofData(requireCitizen(citizenJson));
      case "traffic.vehicles" -> trafficVehicles(optionalCitizen(citizenJson), query);
      case "traffic.fines" -> trafficFines(optionalCitizen(citizenJson), query);
      case "traffic.fine-payment" -> finePayment(optionalCitizen(citizenJson), query);
      case "utilities.bill" -> utilitiesBill(query);
      case "utilities.bill-payment" -> billPayment(query);
      case "traffic.due-fines" -> dueFines(query);
      case "utilities.due-bills" -> dueBills(query);
      default -> throw badRequest("Unknown operation");
    };
  }

  // ---------- social security ----------

  private JsonObject socialSecurityAccount(SyntheticCitizen citizen) {
    SocialSecurityProfile p = DepartmentData.socialSecurity(citizen.idNumber(), today());
    long pensionAccount = 0;
    for (YearMonth m = YearMonth.from(p.startDate());
        !m.isAfter(p.lastPaidMonth());
        m = m.plusMonths(1)) {
      pensionAccount += DepartmentData.contribution(Insurance.PENSION, p.baseFen(m))[1];
    }
    return new JsonObject()
        .put("insuredStatus", p.status())
        .put("insuranceTypes", new JsonArray(p.insuranceTypes()))
        .put(
            "city",
            new JsonObject()
                .put("code", options.region())
                .put("name", DepartmentData.cityName(options.region())))
        .put("employer", p.employer())
        .put("startDate", p.startDate().toString())
        .put("pensionAccountBalanceFen", pensionAccount)
        .put("lastPaidMonth", p.lastPaidMonth().toString());
  }

  private JsonObject socialSecurityContributions(SyntheticCitizen citizen, JsonObject query) {
    YearMonth[] range = monthRange(query);
    SocialSecurityProfile p = DepartmentData.socialSecurity(citizen.idNumber(), today());
    JsonArray months = new JsonArray();
    long totalEmployer = 0;
    long totalPersonal = 0;
    for (YearMonth m = range[0]; !m.isAfter(range[1]); m = m.plusMonths(1)) {
      if (m.isBefore(YearMonth.from(p.startDate())) || m.isAfter(p.lastPaidMonth())) {
        continue;
      }
      long base = p.baseFen(m);
      JsonArray items = new JsonArray();
      long employer = 0;
      long personal = 0;
      for (Insurance insurance : Insurance.values()) {
        if (p.insuranceTypes().contains(insurance.wireName)) {
          long[] parts = DepartmentData.contribution(insurance, base);
          items.add(
              new JsonObject()
                  .put("insuranceType", insurance.wireName)
                  .put("employerFen", parts[0])
                  .put("personalFen", parts[1]));
          employer += parts[0];
          personal += parts[1];
        }
      }
      months.add(
          new JsonObject()
              .put("month", m.toString())
              .put("baseFen", base)
              .put("employer", p.employer())
              .put("items", items)
              .put("employerFen", employer)
              .put("personalFen", personal));
      totalEmployer += employer;
      totalPersonal += personal;
    }
    return new JsonObject()
        .put("from", range[0].toString())
        .put("to", range[1].toString())
        .put("months", months)
        .put("totalEmployerFen", totalEmployer)
        .put("totalPersonalFen", totalPersonal);
  }

  // ---------- housing fund ----------

  private JsonObject housingFundAccount(SyntheticCitizen citizen) {
    HousingFundProfile p = DepartmentData.housingFund(citizen.idNumber(), today());
    YearMonth last = p.lastDepositMonth();
    boolean depositing = p.status().equals("normal");
    return new JsonObject()
        .put("accountNo", p.accountNo())
        .put("balanceFen", DepartmentData.housingFundBalanceFen(p))
        .put("monthlyDepositFen", depositing ? 2 * p.partFen(last) : 0L)
        .put("depositBaseFen", p.baseFen(last))
        .put("depositRatePercent", p.ratePercent())
        .put("status", p.status())
        .put("employer", p.employer())
        .put("openedOn", p.openedOn().toString())
        .put("lastDepositMonth", last.toString());
  }

  private JsonObject housingFundContributions(SyntheticCitizen citizen, JsonObject query) {
    YearMonth[] range = monthRange(query);
    HousingFundProfile p = DepartmentData.housingFund(citizen.idNumber(), today());
    JsonArray months = new JsonArray();
    long total = 0;
    for (YearMonth m = range[0]; !m.isAfter(range[1]); m = m.plusMonths(1)) {
      if (m.isBefore(p.firstDepositMonth()) || m.isAfter(p.lastDepositMonth())) {
        continue;
      }
      long part = p.partFen(m);
      months.add(
          new JsonObject()
              .put("month", m.toString())
              .put("baseFen", p.baseFen(m))
              .put("employerFen", part)
              .put("personalFen", part)
              .put("totalFen", 2 * part)
              .put("depositedOn", m.atDay(15).toString()));
      total += 2 * part;
    }
    return new JsonObject()
        .put("accountNo", p.accountNo())
        .put("from", range[0].toString())
        .put("to", range[1].toString())
        .put("months", months)
        .put("totalFen", total);
  }

  private JsonObject housingFundProofData(SyntheticCitizen citizen) {
    HousingFundProfile p = DepartmentData.housingFund(citizen.idNumber(), today());
    YearMonth last = p.lastDepositMonth();
    long monthsPaid = ChronoUnit.MONTHS.between(p.firstDepositMonth(), last) + 1;
    return new JsonObject()
        .put("holderName", citizen.name())
        .put("accountNo", p.accountNo())
        .put("accountStatus", p.status())
        .put("employer", p.employer())
        .put("depositBaseFen", p.baseFen(last))
        .put("monthlyDepositFen", p.status().equals("normal") ? 2 * p.partFen(last) : 0L)
        .put("monthsPaid", monthsPaid)
        .put("firstDepositMonth", p.firstDepositMonth().toString())
        .put("lastDepositMonth", last.toString())
        .put("balanceFen", DepartmentData.housingFundBalanceFen(p))
        .put("asOf", today().toString());
  }

  // ---------- traffic ----------

  private JsonObject trafficVehicles(SyntheticCitizen citizen, JsonObject query) {
    if (query.isEmpty()) {
      if (citizen == null) {
        throw badRequest("citizen is required to list own vehicles");
      }
      JsonArray vehicles = new JsonArray();
      vehiclesOf(citizen).forEach(v -> vehicles.add(vehicleJson(v)));
      return new JsonObject().put("vehicles", vehicles);
    }
    String plate = requireString(query, "plate");
    String plateType = requireString(query, "plateType");
    String vin = requireString(query, "vinLast6");
    FineOwner owner = vehicleOwners.get(vehicleKey(plate, plateType, vin));
    if (owner == null
        || (citizen != null && !owner.citizen().idNumber().equals(citizen.idNumber()))) {
      throw new Refusal(404, "vehicle_not_found", "No vehicle with this plate, plate type and VIN");
    }
    return new JsonObject().put("vehicles", new JsonArray().add(vehicleJson(owner.vehicle())));
  }

  private JsonObject trafficFines(SyntheticCitizen citizen, JsonObject query) {
    String plate = requireString(query, "plate");
    String plateType = requireString(query, "plateType");
    String vin = query.getValue("vinLast6") == null ? null : requireString(query, "vinLast6");
    if (vin != null && !VIN_LAST6.matcher(vin).matches()) {
      throw badRequest("vinLast6 must be 6 VIN characters");
    }
    SyntheticCitizen holder;
    Vehicle vehicle;
    if (citizen != null) {
      holder = citizen;
      vehicle =
          vehiclesOf(citizen).stream()
              .filter(
                  v ->
                      v.plate().equals(plate)
                          && v.plateType().equals(plateType)
                          && (vin == null || v.vinLast6().equals(vin)))
              .findFirst()
              .orElseThrow(() -> vehicleNotFound());
    } else {
      if (vin == null) {
        throw badRequest("vinLast6 is required without a citizen");
      }
      FineOwner owner = vehicleOwners.get(vehicleKey(plate, plateType, vin));
      if (owner == null) {
        throw vehicleNotFound();
      }
      holder = owner.citizen();
      vehicle = owner.vehicle();
    }
    JsonArray fines = new JsonArray();
    for (Fine fine : DepartmentData.fines(holder.idNumber(), vehicle, today())) {
      fines.add(fineJson(fine));
    }
    return new JsonObject().put("plate", plate).put("plateType", plateType).put("fines", fines);
  }

  private JsonObject finePayment(SyntheticCitizen citizen, JsonObject query) {
    String decisionNumber = requireString(query, "decisionNumber");
    if (!DECISION_NUMBER.matcher(decisionNumber).matches()) {
      throw badRequest("decisionNumber must be 16 digits");
    }
    PaymentRequest payment = paymentRequest(query);
    synchronized (this) {
      Payment repeated = repeatedPayment(decisionNumber, payment);
      if (repeated != null) {
        return accepted(repeated).put("decisionNumber", decisionNumber);
      }
      FineOwner owner = fineOwners.get(decisionNumber);
      if (owner == null
          || (citizen != null && !owner.citizen().idNumber().equals(citizen.idNumber()))) {
        throw new Refusal(404, "bill_not_found", "No fine with this decision number");
      }
      Fine fine =
          DepartmentData.fines(owner.citizen().idNumber(), owner.vehicle(), today()).stream()
              .filter(f -> f.decisionNumber().equals(decisionNumber))
              .findFirst()
              .orElseThrow(
                  () -> new Refusal(404, "bill_not_found", "No fine with this decision number"));
      if (fine.initiallyPaid() || paymentsByRef.containsKey(decisionNumber)) {
        throw new Refusal(409, "already_paid", "The fine is already paid");
      }
      if (!fine.payable()) {
        throw new Refusal(409, "not_payable", "The fine must be handled at a service window first");
      }
      if (fine.amountFen() != payment.amountFen()) {
        throw new Refusal(409, "amount_mismatch", "The amount differs from the fine");
      }
      return accepted(record(decisionNumber, payment, "JJ")).put("decisionNumber", decisionNumber);
    }
  }

  /**
   * Days a fine may be paid in without a late fee (行政处罚法: 15 days from the decision, then 3 % a
   * day).
   */
  static final int FINE_PAYMENT_DAYS = 15;

  private static final int MAX_BATCH = 100;

  /**
   * Unpaid, payable fines of the citizens asked about whose last day to pay is on or before {@code
   * dueBefore} (already late ones included). A citizen this department does not know has no items;
   * an unknown name is the same.
   */
  private JsonObject dueFines(JsonObject query) {
    LocalDate dueBefore = dueBefore(query);
    JsonArray items = new JsonArray();
    for (JsonObject asked : batch(query, "citizens")) {
      String ref = requireString(asked, "ref");
      SyntheticCitizen citizen = citizens.get(requireString(asked, "idNumber"));
      if (citizen == null || !citizen.name().equals(requireString(asked, "name").strip())) continue;
      for (Vehicle vehicle : vehiclesOf(citizen)) {
        for (Fine fine : DepartmentData.fines(citizen.idNumber(), vehicle, today())) {
          JsonObject shown = fineJson(fine);
          LocalDate due = fine.time().toLocalDate().plusDays(FINE_PAYMENT_DAYS);
          if (!"unpaid".equals(shown.getString("status"))
              || !shown.getBoolean("payable")
              || due.isAfter(dueBefore)) {
            continue;
          }
          items.add(
              new JsonObject()
                  .put("ref", ref)
                  .put("decisionNumber", fine.decisionNumber())
                  .put("plate", vehicle.plate())
                  .put("plateType", vehicle.plateType())
                  .put("amountFen", fine.amountFen())
                  .put("dueDate", due.toString())
                  .put("offence", shown.getJsonObject("offence")));
        }
      }
    }
    return new JsonObject().put("items", items);
  }

  /** Unpaid current bills of the accounts asked about, due on or before {@code dueBefore}. */
  private JsonObject dueBills(JsonObject query) {
    LocalDate dueBefore = dueBefore(query);
    JsonArray items = new JsonArray();
    for (JsonObject asked : batch(query, "accounts")) {
      String ref = requireString(asked, "ref");
      AccountOwner owner = accountOwners.get(requireString(asked, "accountNo"));
      if (owner == null
          || !owner.account().utilityType().equals(requireString(asked, "utilityType"))) continue;
      Bill bill = DepartmentData.currentBill(owner.account(), today());
      boolean paid;
      synchronized (this) {
        paid = bill.initiallyPaid() || paymentsByRef.containsKey(bill.billRef());
      }
      if (paid || bill.amountFen() <= 0 || bill.dueDate().isAfter(dueBefore)) continue;
      items.add(
          new JsonObject()
              .put("ref", ref)
              .put("billRef", bill.billRef())
              .put("utilityType", bill.utilityType())
              .put("accountNo", bill.accountNo())
              .put("period", bill.period().toString())
              .put("amountFen", bill.amountFen())
              .put("dueDate", bill.dueDate().toString()));
    }
    return new JsonObject().put("items", items);
  }

  private static LocalDate dueBefore(JsonObject query) {
    try {
      return LocalDate.parse(requireString(query, "dueBefore"));
    } catch (DateTimeParseException e) {
      throw badRequest("dueBefore must be a date");
    }
  }

  private static List<JsonObject> batch(JsonObject query, String field) {
    if (!(query.getValue(field) instanceof JsonArray array)
        || array.isEmpty()
        || array.size() > MAX_BATCH) {
      throw badRequest(field + " must hold 1 to " + MAX_BATCH + " entries");
    }
    List<JsonObject> out = new java.util.ArrayList<>();
    for (Object o : array) {
      if (!(o instanceof JsonObject entry)) throw badRequest(field + " entries must be objects");
      out.add(entry);
    }
    return out;
  }

  // ---------- utilities ----------

  private JsonObject utilitiesBill(JsonObject query) {
    String utilityType = requireString(query, "utilityType");
    String accountNo = requireString(query, "accountNo");
    if (!List.of("water", "power", "gas").contains(utilityType)
        || !ACCOUNT_NO.matcher(accountNo).matches()) {
      throw badRequest("utilityType must be water, power or gas and accountNo 10 digits");
    }
    AccountOwner owner = accountOwners.get(accountNo);
    if (owner == null || !owner.account().utilityType().equals(utilityType)) {
      throw new Refusal(404, "bill_not_found", "No account of this type with this number");
    }
    Bill bill = DepartmentData.currentBill(owner.account(), today());
    boolean paid;
    synchronized (this) {
      paid = bill.initiallyPaid() || paymentsByRef.containsKey(bill.billRef());
    }
    return new JsonObject()
        .put("billRef", bill.billRef())
        .put("utilityType", utilityType)
        .put("accountNo", accountNo)
        .put("holderName", owner.citizen().name())
        .put("address", DepartmentData.maskedAddress(owner.citizen().idNumber()))
        .put("period", bill.period().toString())
        .put(
            "usage",
            new JsonObject().put("quantity", bill.usageQuantity()).put("unit", bill.usageUnit()))
        .put("amountFen", bill.amountFen())
        .put("dueDate", bill.dueDate().toString())
        .put("status", paid ? "paid" : "unpaid");
  }

  private JsonObject billPayment(JsonObject query) {
    String billRef = requireString(query, "billRef");
    PaymentRequest payment = paymentRequest(query);
    synchronized (this) {
      Payment repeated = repeatedPayment(billRef, payment);
      if (repeated != null) {
        return accepted(repeated).put("billRef", billRef);
      }
      Bill bill = billByRef(billRef);
      if (bill.initiallyPaid() || paymentsByRef.containsKey(billRef)) {
        throw new Refusal(409, "already_paid", "The bill is already paid");
      }
      if (bill.amountFen() != payment.amountFen()) {
        throw new Refusal(409, "amount_mismatch", "The amount differs from the bill");
      }
      return accepted(record(billRef, payment, "SF")).put("billRef", billRef);
    }
  }

  private Bill billByRef(String billRef) {
    Refusal notFound = new Refusal(404, "bill_not_found", "No open bill with this reference");
    if (billRef.length() != 17) {
      throw notFound;
    }
    AccountOwner owner = accountOwners.get(billRef.substring(1, 11));
    if (owner == null) {
      throw notFound;
    }
    Bill bill = DepartmentData.currentBill(owner.account(), today());
    if (!bill.billRef().equals(billRef)) {
      throw notFound;
    }
    return bill;
  }

  // ---------- payments ----------

  private record PaymentRequest(
      long amountFen, String orderId, String channelTradeNo, OffsetDateTime paidAt) {}

  private PaymentRequest paymentRequest(JsonObject query) {
    if (!(query.getValue("amountFen") instanceof Number amount)
        || amount.longValue() < 1
        || amount.doubleValue() != amount.longValue()) {
      throw badRequest("amountFen must be a positive integer");
    }
    String orderId = requireString(query, "orderId");
    String channelTradeNo = requireString(query, "channelTradeNo");
    try {
      return new PaymentRequest(
          amount.longValue(),
          orderId,
          channelTradeNo,
          OffsetDateTime.parse(requireString(query, "paidAt")));
    } catch (DateTimeParseException e) {
      throw badRequest("paidAt must be an ISO-8601 date-time with offset");
    }
  }

  /**
   * The earlier payment when this is a repeat of it; refuses an order id reused for other content.
   */
  private Payment repeatedPayment(String ref, PaymentRequest payment) {
    Payment earlier = paymentsByOrder.get(payment.orderId());
    if (earlier == null) {
      return null;
    }
    if (!earlier.ref().equals(ref) || earlier.amountFen() != payment.amountFen()) {
      throw badRequest("orderId was already used for a different payment");
    }
    repeatedPayments++;
    if (bookingLog != null) {
      bookingLog.append(
          new BookingLog.Booking(
              earlier.orderId(),
              ref,
              earlier.amountFen(),
              earlier.receiptNo(),
              payment.channelTradeNo(),
              payment.paidAt().toString(),
              true));
    }
    return earlier;
  }

  private Payment record(String ref, PaymentRequest payment, String receiptPrefix) {
    receiptSequence++;
    String receiptNo =
        receiptPrefix
            + options.region()
            + today().toString().replace("-", "")
            + String.format(Locale.ROOT, "%06d", receiptSequence);
    Payment recorded =
        new Payment(ref, payment.orderId(), payment.amountFen(), receiptNo, payment.paidAt());
    if (bookingLog != null) {
      // Durable before it is known or answered: a booking the gateway was told about is always in
      // the ledger.
      bookingLog.append(
          new BookingLog.Booking(
              payment.orderId(),
              ref,
              payment.amountFen(),
              receiptNo,
              payment.channelTradeNo(),
              payment.paidAt().toString(),
              false));
    }
    paymentsByRef.put(ref, recorded);
    paymentsByOrder.put(payment.orderId(), recorded);
    return recorded;
  }

  private static JsonObject accepted(Payment payment) {
    return new JsonObject()
        .put("status", "accepted")
        .put("receiptNo", payment.receiptNo())
        .put("orderId", payment.orderId());
  }

  // ---------- helpers ----------

  private JsonObject vehicleJson(Vehicle v) {
    return new JsonObject()
        .put("plate", v.plate())
        .put("plateType", v.plateType())
        .put("brand", v.brand())
        .put("model", v.model())
        .put("vinLast6", v.vinLast6())
        .put("status", v.status())
        .put("registeredOn", v.registeredOn().toString())
        .put("inspectionDueOn", v.inspectionDueOn().toString());
  }

  private JsonObject fineJson(Fine fine) {
    Payment payment;
    synchronized (this) {
      payment = paymentsByRef.get(fine.decisionNumber());
    }
    OffsetDateTime paidAt =
        fine.initiallyPaid() ? fine.paidAt() : payment == null ? null : payment.paidAt();
    JsonObject json =
        new JsonObject()
            .put("decisionNumber", fine.decisionNumber())
            .put("time", DepartmentData.formatInstant(fine.time()))
            .put("place", fine.place())
            .put(
                "offence",
                new JsonObject()
                    .put("code", fine.offenceCode())
                    .put("description", fine.offenceDescription()))
            .put("amountFen", fine.amountFen())
            .put("points", fine.points())
            .put("payable", fine.payable() && paidAt == null)
            .put("status", paidAt == null ? "unpaid" : "paid");
    if (paidAt != null) {
      json.put("paidAt", DepartmentData.formatInstant(paidAt));
    }
    return json;
  }

  private SyntheticCitizen requireCitizen(JsonObject json) {
    SyntheticCitizen citizen = optionalCitizen(json);
    if (citizen == null) {
      throw badRequest("citizen is required");
    }
    return citizen;
  }

  /**
   * Null when absent; 400 when malformed; 404 when not a person this department knows under this
   * name.
   */
  private SyntheticCitizen optionalCitizen(JsonObject json) {
    if (json == null) {
      return null;
    }
    if (!(json.getValue("idNumber") instanceof String id)
        || !(json.getValue("name") instanceof String name)
        || name.isBlank()) {
      throw badRequest("citizen needs idNumber and name");
    }
    if (!ResidentIds.isValid(id, today())) {
      throw badRequest("citizen.idNumber is not a valid resident ID number");
    }
    SyntheticCitizen citizen = citizens.get(id);
    if (citizen == null || !Objects.equals(citizen.name(), name.strip())) {
      throw new Refusal(404, "citizen_not_found", "No citizen with this ID number and name");
    }
    return citizen;
  }

  private static YearMonth[] monthRange(JsonObject query) {
    String from = requireString(query, "from");
    String to = requireString(query, "to");
    if (!YEAR_MONTH.matcher(from).matches() || !YEAR_MONTH.matcher(to).matches()) {
      throw badRequest("from and to must be yyyy-MM");
    }
    YearMonth start = YearMonth.parse(from);
    YearMonth end = YearMonth.parse(to);
    if (start.isAfter(end) || ChronoUnit.MONTHS.between(start, end) >= MAX_RANGE_MONTHS) {
      throw badRequest(
          "from must not be after to, and the range is at most " + MAX_RANGE_MONTHS + " months");
    }
    return new YearMonth[] {start, end};
  }

  private static String requireString(JsonObject json, String field) {
    if (!(json.getValue(field) instanceof String value) || value.isBlank()) {
      throw badRequest(field + " is required");
    }
    return value;
  }

  private static String vehicleKey(String plate, String plateType, String vin) {
    return plate + '|' + plateType + '|' + vin;
  }

  private static Refusal vehicleNotFound() {
    return new Refusal(404, "vehicle_not_found", "No such vehicle on record");
  }

  private static Refusal badRequest(String message) {
    return new Refusal(400, "bad_request", message);
  }

  private LocalDate today() {
    return LocalDate.now(options.clock().withZone(DepartmentData.CST));
  }
}
