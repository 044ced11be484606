#!/usr/bin/env bash
# The order journey by curl, against a running shop with the demo data
# (`make run`, or `bazaar serve --demo`):
#   a customer buys from two sellers in one order and pays with tok_visa; both
#   sellers pack and hand over; two delivery partners deliver; the customer
#   sees "delivered" and each shipment's timeline. A second order is declined
#   and its stock comes back; a third is cancelled after payment and refunded;
#   a fourth is refused at the door, returned to its seller, restocked and
#   refunded.
#
#   scripts/journey.sh [BASE_URL]      (default http://localhost:8080)
#
# Needs curl and jq. Exits non-zero at the first unexpected answer.
#
# PAY_METHOD and DECLINE_METHOD are the payment method tokens that succeed
# and are declined (default the test gateway's tok_visa and
# tok_chargeDeclined; against the local Razorpay fake, rzp_test_success and
# rzp_test_failure). PAY_METHOD=cod pays in cash on delivery: each partner
# records the cash collected with the delivered event (the payment is
# captured then), the admin sees the cash each partner holds and records a
# handover, and the cancelled order's payment is voided instead of refunded.
# PAY_CAPTURE=manual says the server authorises cards at checkout and
# captures them at handover (BAZAAR_PAYMENT_CAPTURE=manual): the order
# cancelled before shipping has its authorisation voided, not refunded.
set -euo pipefail
BASE=${1:-http://localhost:8080}
PAY=${PAY_METHOD:-tok_visa}
CAPTURE=${PAY_CAPTURE:-automatic}
DECLINE=${DECLINE_METHOD:-tok_chargeDeclined}
API=$BASE/api/v1
RUN=$(date +%s%N | tail -c 7)

say() { printf '\n== %s\n' "$*" >&2; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

# api WANT METHOD PATH [BODY] [TOKEN]: prints the response body; fails unless
# the status is WANT.
api() {
	local want=$1 method=$2 path=$3 body=${4:-} token=${5:-}
	local args=(-sS -o /tmp/journey.$$ -w '%{http_code}' -X "$method" "$API$path" -H 'Content-Type: application/json')
	[ -n "$body" ] && args+=(-d "$body")
	[ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
	local status
	status=$(curl "${args[@]}")
	if [ "$status" != "$want" ]; then
		fail "$method $path answered $status, want $want: $(cat /tmp/journey.$$)"
	fi
	cat /tmp/journey.$$
	rm -f /tmp/journey.$$
}
login() { api 200 POST /auth/login "{\"email\":\"$1\",\"password\":\"$2\"}" | jq -r .access_token; }
# until_status ORDER_ID STATUS TOKEN: waits for the order to reach STATUS.
until_status() {
	for _ in $(seq 1 150); do
		[ "$(api 200 GET "/order/$1" "" "$3" | jq -r .status)" = "$2" ] && return 0
		sleep 0.1
	done
	fail "order $1 never reached $2 (it is $(api 200 GET "/order/$1" "" "$3" | jq -r .status))"
}
stock() { api 200 GET "/inventory/$1" "" "$2" | jq -r '"\(.on_hand)/\(.reserved)"'; }
# hand_over ORDER_ID SELLER_TOKEN PARTNER_ID: the seller packs its part of
# the order (once its shipment exists) and hands it to the partner; prints
# the shipment ID.
hand_over() {
	local ship=""
	for _ in $(seq 1 100); do
		ship=$(api 200 GET "/order/$1" "" "$2" | jq -r '.seller_orders[0].shipment.id // empty')
		[ -n "$ship" ] && break
		sleep 0.1
	done
	[ -n "$ship" ] || fail "no shipment for the seller's part of order $1"
	api 200 POST "/shipment/$ship/pack" "" "$2" >/dev/null
	api 200 POST "/shipment/$ship/handover" "{\"partner_id\":\"$3\"}" "$2" | jq -r '"shipment \(.id) tracking \(.tracking_id) -> partner \(.partner_id)"' >&2
	echo "$ship"
}

say "sign in: demo customer, two demo sellers, admin"
CUSTOMER=$(login customer@demo.bazaar.dev demo-customer-pass)
SELLER1=$(login seller@demo.bazaar.dev demo-seller-pass)
SELLER2=$(login volt@demo.bazaar.dev demo-seller-pass)
ADMIN=$(login admin@demo.bazaar.dev demo-admin-pass)

say "two delivery partners"
DRIVER1=$(login delivery@demo.bazaar.dev demo-delivery-pass)
api 201 POST /admin/user "{\"email\":\"driver-$RUN@example.com\",\"password\":\"driver-pass-$RUN\",\"name\":\"Second Driver\",\"role\":\"delivery\"}" "$ADMIN" >/dev/null
DRIVER2=$(login "driver-$RUN@example.com" "driver-pass-$RUN")
D1=$(api 200 GET /me "" "$DRIVER1" | jq -r .id)
D2=$(api 200 GET /me "" "$DRIVER2" | jq -r .id)

say "one SKU from each seller, stocked for the run"
S1=$(api 200 GET /seller/me "" "$SELLER1" | jq -r .id)
S2=$(api 200 GET /seller/me "" "$SELLER2" | jq -r .id)
SKU1=$(api 200 GET "/product?seller=$S1&limit=1" | jq -r '.items[0].variants[0].sku')
SKU2=$(api 200 GET "/product?seller=$S2&limit=1" | jq -r '.items[0].variants[0].sku')
api 200 PUT "/inventory/$SKU1" '{"on_hand":20}' "$SELLER1" >/dev/null
api 200 PUT "/inventory/$SKU2" '{"on_hand":20}' "$SELLER2" >/dev/null
ADDRESS='{"name":"Cody Customer","line1":"1 Main St","city":"Springfield","postal_code":"12345","country":"US"}'

say "1. order from two sellers, paid with $PAY"
ORDER=$(api 201 POST /order "{\"lines\":[{\"sku\":\"$SKU1\",\"quantity\":2},{\"sku\":\"$SKU2\",\"quantity\":1}],\"shipping_address\":$ADDRESS}" "$CUSTOMER")
OID=$(jq -r .id <<<"$ORDER")
[ "$(jq '.seller_orders | length' <<<"$ORDER")" = 2 ] || fail "order $OID is not split in two seller orders"
echo "order $OID total $(jq -c .total <<<"$ORDER") split into 2 seller orders" >&2
api 201 POST /payment "{\"order_id\":\"$OID\",\"method\":\"$PAY\"}" "$CUSTOMER" >/dev/null
until_status "$OID" paid "$CUSTOMER"

say "both sellers pack and hand over to different partners"
for pair in "$SELLER1:$D1" "$SELLER2:$D2"; do
	hand_over "$OID" "${pair%%:*}" "${pair##*:}" >/dev/null
done
until_status "$OID" shipped "$CUSTOMER"

# The first seller takes no returns on this order (a window of 0 days), so
# its share becomes available on delivery, and is paid out to its bank.
WINDOW1=$(api 200 GET /seller/return-policy "" "$SELLER1" | jq -r .window_days)
api 200 PUT /seller/return-policy '{"window_days":0,"auto_approve":[]}' "$SELLER1" >/dev/null
api 200 PUT /seller/payout-settings '{"bank":{"holder":"Demo Seller","account":"000123456789","routing":"021000021"}}' "$SELLER1" >/dev/null

say "two partners deliver"
for tok in "$DRIVER1" "$DRIVER2"; do
	ship=$(api 200 GET "/delivery/shipment?status=handed_over" "" "$tok" | jq -r --arg o "$OID" '[.items[] | select(.order_id == $o)][0].id')
	api 409 POST "/shipment/$ship/event" '{"status":"delivered"}' "$tok" >/dev/null # no skipping ahead
	for st in picked_up in_transit out_for_delivery delivered; do
		body="{\"status\":\"$st\",\"location\":\"Springfield hub\"}"
		if [ "$st" = delivered ] && [ "$PAY" = cod ]; then
			due=$(api 200 GET "/shipment/$ship" "" "$tok" | jq -c .cash_due)
			[ "$due" != null ] || fail "cash-on-delivery shipment $ship has no cash_due"
			api 400 POST "/shipment/$ship/event" '{"status":"delivered"}' "$tok" >/dev/null # not without the cash
			short=$(jq -c '.amount -= 1' <<<"$due")
			api 400 POST "/shipment/$ship/event" "{\"status\":\"delivered\",\"cash_collected\":$short}" "$tok" >/dev/null # nor short of it
			body="{\"status\":\"delivered\",\"location\":\"Springfield hub\",\"cash_collected\":$due}"
			echo "partner collects $(jq -r '"\(.amount) \(.currency)"' <<<"$due") in cash" >&2
		fi
		api 200 POST "/shipment/$ship/event" "$body" "$tok" >/dev/null
	done
done
until_status "$OID" delivered "$CUSTOMER"
if [ "$PAY" = cod ]; then
	for _ in $(seq 1 100); do
		[ "$(api 200 GET "/order/$OID" "" "$CUSTOMER" | jq -r .payment_status)" = succeeded ] && break
		sleep 0.1
	done
	api 200 GET "/order/$OID" "" "$CUSTOMER" | jq -r '"order \(.id): payment \(.payment_status) (captured in cash on delivery: \(.payments[-1].status))"' >&2
	[ "$(api 200 GET "/order/$OID" "" "$CUSTOMER" | jq -r .payment_status)" = succeeded ] || fail "the cash-on-delivery payment of $OID was not captured on delivery"
	say "the cash each partner holds; the first hands it over"
	for _ in $(seq 1 100); do
		HELD=$(api 200 GET /admin/cod "" "$ADMIN" | jq -c --arg p "$D1" '[.partners[] | select(.partner_id == $p and .held.currency == "USD")][0].held // empty')
		[ -n "$HELD" ] && break
		sleep 0.1
	done
	[ -n "$HELD" ] || fail "the admin does not see the cash partner $D1 collected"
	echo "partner $D1 holds $(jq -r '"\(.amount) \(.currency)"' <<<"$HELD")" >&2
	api 201 POST "/admin/cod/$D1/handover" "{\"amount\":$HELD,\"reference\":\"RCPT-$RUN\"}" "$ADMIN" >/dev/null
	left=$(api 200 GET /admin/cod "" "$ADMIN" | jq -r --arg p "$D1" '[.partners[] | select(.partner_id == $p and .held.currency == "USD")][0].held.amount // 0')
	[ "$left" = 0 ] || fail "partner $D1 still holds $left after handing over"
fi
for ship in $(api 200 GET "/order/$OID" "" "$CUSTOMER" | jq -r '.seller_orders[].shipment.id'); do
	api 200 GET "/shipment/$ship" "" "$CUSTOMER" | jq -r '"shipment \(.tracking_id): " + ([.timeline[].status] | join(" -> "))' >&2
done

say "the sellers' money: each seller's share, the platform's commission, a payout"
SO1=$(api 200 GET "/order/$OID" "" "$CUSTOMER" | jq -r --arg s "$S1" '.seller_orders[] | select(.seller_id == $s) | .id')
usd() { jq -r '[.balances[] | select(.currency == "USD")][0] // {} | .'"$1"'.amount // 0'; }
for s in "$SELLER1:$SO1" "$SELLER2:"; do
	tok=${s%%:*}
	for _ in $(seq 1 100); do
		line=$(api 200 GET "/seller/statement?account=pending&limit=100" "" "$tok" | jq -c --arg o "$OID" '[.items[] | select(.order_id == $o and .kind == "sale")][0] // empty')
		[ -n "$line" ] && break
		sleep 0.1
	done
	[ -n "$line" ] || fail "the sale of order $OID never reached a seller's statement"
	jq -r '"seller order \(.seller_order_id): share \(.amount.amount) \(.amount.currency) credited, pending"' <<<"$line" >&2
done
SHARE1=$(api 200 GET "/seller/statement?account=pending&limit=100" "" "$SELLER1" | jq -r --arg o "$OID" '[.items[] | select(.order_id == $o and .kind == "sale")][0].amount.amount')
TOTAL1=$(api 200 GET "/order/$OID" "" "$CUSTOMER" | jq -r --arg s "$S1" '.seller_orders[] | select(.seller_id == $s) | .total.amount')
[ "$SHARE1" -gt 0 ] && [ "$SHARE1" -lt "$TOTAL1" ] || fail "seller 1's share $SHARE1 of $TOTAL1 leaves no commission"
echo "seller 1's part: total $TOTAL1, share $SHARE1, platform commission $((TOTAL1 - SHARE1))" >&2
# Delivered with a 0-day window: released at once; the admin pays out now.
paid_out=""
for _ in $(seq 1 100); do
	run=$(api 200 POST /admin/payout/run "" "$ADMIN")
	PAYOUT=$(api 200 GET "/payout?seller=$S1&status=pending" "" "$ADMIN" | jq -r '.items[0].id // empty')
	[ -n "$PAYOUT" ] && break
	if [ "$(api 200 GET "/payout?seller=$S1" "" "$ADMIN" | jq -r '.items[0].status // empty')" = paid ]; then
		paid_out=earlier
		break
	fi
	sleep 0.1
done
if [ -n "$PAYOUT" ]; then
	api 200 PUT "/payout/$PAYOUT/approve" "" "$ADMIN" | jq -r '"payout \(.id): \(.amount.amount) \(.amount.currency) \(.status) (\(.channel))"' >&2
	api 200 PUT "/payout/$PAYOUT/paid" '{"reference":"BANK-'"$RUN"'"}' "$ADMIN" >/dev/null
	[ "$(api 200 GET /seller/balance "" "$SELLER1" | usd available)" = 0 ] || fail "seller 1's available balance is not empty after its payout"
	echo "payout $PAYOUT paid; seller 1 available: 0" >&2
elif [ "$paid_out" = earlier ]; then
	echo "seller 1 was paid out in this payout interval already (a journey run before): no new payout" >&2
else
	fail "no payout was made for seller 1 ($run)"
fi
api 200 PUT /seller/return-policy "{\"window_days\":$WINDOW1,\"auto_approve\":[]}" "$SELLER1" >/dev/null

say "2. a declined payment; cancelling brings the stock back"
before=$(stock "$SKU1" "$SELLER1")
O2=$(api 201 POST /order "{\"lines\":[{\"sku\":\"$SKU1\",\"quantity\":3}],\"shipping_address\":$ADDRESS}" "$CUSTOMER" | jq -r .id)
api 201 POST /payment "{\"order_id\":\"$O2\",\"method\":\"$DECLINE\"}" "$CUSTOMER" >/dev/null
for _ in $(seq 1 100); do
	[ "$(api 200 GET "/order/$O2" "" "$CUSTOMER" | jq -r '.payments[0].status')" = failed ] && break
	sleep 0.1
done
api 200 GET "/order/$O2" "" "$CUSTOMER" | jq -r '"order \(.id) is \(.status); payment \(.payments[0].status): \(.payments[0].failure_code)"' >&2
api 200 PUT "/order/$O2/cancel" '{"reason":"card declined"}' "$CUSTOMER" >/dev/null
[ "$(stock "$SKU1" "$SELLER1")" = "$before" ] || fail "stock of $SKU1 is $(stock "$SKU1" "$SELLER1") after the cancel, want $before"

say "3. paid, then cancelled: refunded and restocked"
before=$(stock "$SKU2" "$SELLER2")
O3=$(api 201 POST /order "{\"lines\":[{\"sku\":\"$SKU2\",\"quantity\":2}],\"shipping_address\":$ADDRESS}" "$CUSTOMER" | jq -r .id)
api 201 POST /payment "{\"order_id\":\"$O3\",\"method\":\"$PAY\"}" "$CUSTOMER" >/dev/null
until_status "$O3" paid "$CUSTOMER"
api 200 PUT "/order/$O3/cancel" '{"reason":"found it cheaper"}' "$CUSTOMER" >/dev/null
if [ "$PAY" = cod ] || [ "$CAPTURE" = manual ]; then
	# Nothing was collected or captured: the authorisation is voided.
	for _ in $(seq 1 100); do
		[ "$(api 200 GET "/order/$O3" "" "$CUSTOMER" | jq -r .payment_status)" = voided ] && break
		sleep 0.1
	done
	api 200 GET "/order/$O3" "" "$CUSTOMER" | jq -r '"order \(.id) is \(.status); cash-on-delivery payment \(.payment_status)"' >&2
	[ "$(api 200 GET "/order/$O3" "" "$CUSTOMER" | jq -r .payment_status)" = voided ] || fail "the payment of cancelled order $O3 was not voided"
	[ "$(api 200 GET "/order/$O3" "" "$CUSTOMER" | jq -r .status)" = cancelled ] || fail "order $O3 is not cancelled"
else
	until_status "$O3" refunded "$CUSTOMER"
	api 200 GET "/order/$O3" "" "$CUSTOMER" | jq -r '"order \(.id) is \(.status); refunded \(.refunded.amount) of \(.total.amount)"' >&2
fi
for _ in $(seq 1 100); do
	[ "$(stock "$SKU2" "$SELLER2")" = "$before" ] && break
	sleep 0.1
done
[ "$(stock "$SKU2" "$SELLER2")" = "$before" ] || fail "stock of $SKU2 is $(stock "$SKU2" "$SELLER2") after the cancel, want $before"

say "4. refused at the door: back to the seller, stock back, money back"
before=$(stock "$SKU1" "$SELLER1")
O4=$(api 201 POST /order "{\"lines\":[{\"sku\":\"$SKU1\",\"quantity\":1}],\"shipping_address\":$ADDRESS}" "$CUSTOMER" | jq -r .id)
api 201 POST /payment "{\"order_id\":\"$O4\",\"method\":\"$PAY\"}" "$CUSTOMER" >/dev/null
until_status "$O4" paid "$CUSTOMER"
ship=$(hand_over "$O4" "$SELLER1" "$D1")
for st in picked_up in_transit out_for_delivery failed_attempt returned_to_seller; do
	api 200 POST "/shipment/$ship/event" "{\"status\":\"$st\",\"note\":\"customer refused the parcel\"}" "$DRIVER1" >/dev/null
done
for _ in $(seq 1 100); do
	[ "$(api 200 GET "/order/$O4" "" "$CUSTOMER" | jq -r '.seller_orders[0].status')" = returned ] && break
	sleep 0.1
done
for _ in $(seq 1 100); do
	o=$(api 200 GET "/order/$O4" "" "$CUSTOMER")
	if [ "$PAY" = cod ]; then
		[ "$(jq -r .payment_status <<<"$o")" = voided ] && break
	else
		[ "$(jq -r '.refunded.amount == .total.amount' <<<"$o")" = true ] && break
	fi
	sleep 0.1
done
jq -r '"order \(.id): seller order \(.seller_orders[0].status); payment \(.payment_status), refunded \(.refunded.amount) of \(.total.amount)"' <<<"$o" >&2
[ "$(jq -r '.seller_orders[0].status' <<<"$o")" = returned ] || fail "the seller order of refused order $O4 is not returned"
if [ "$PAY" = cod ]; then
	[ "$(jq -r .payment_status <<<"$o")" = voided ] || fail "the cash payment of refused order $O4 was not voided"
	until_status "$O4" cancelled "$CUSTOMER" # its only parcel came back: nothing reached the customer
else
	[ "$(jq -r '.refunded.amount == .total.amount' <<<"$o")" = true ] || fail "refused order $O4 was not refunded"
	until_status "$O4" refunded "$CUSTOMER" # its only parcel came back and the money went back
fi
for _ in $(seq 1 100); do
	[ "$(stock "$SKU1" "$SELLER1")" = "$before" ] && break
	sleep 0.1
done
[ "$(stock "$SKU1" "$SELLER1")" = "$before" ] || fail "stock of $SKU1 is $(stock "$SKU1" "$SELLER1") after the parcel came back, want $before"

printf '\njourney ok\n'
