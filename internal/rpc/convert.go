package rpc

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	typev1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/type/v1"
	"github.com/bazaar-market/bazaar/internal/money"
)

// Money is m as protobuf.
func Money(m money.Money) *typev1.Money {
	return &typev1.Money{Amount: m.Amount, Currency: m.Currency}
}

// MoneyPtr is *m as protobuf, nil for nil.
func MoneyPtr(m *money.Money) *typev1.Money {
	if m == nil {
		return nil
	}
	return Money(*m)
}

// FromMoney is m from protobuf; nil is the zero Money (which fails
// validation where an amount is required).
func FromMoney(m *typev1.Money) money.Money {
	if m == nil {
		return money.Money{}
	}
	return money.Money{Amount: m.GetAmount(), Currency: m.GetCurrency()}
}

// Time is t as a Timestamp, nil for the zero time.
func Time(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

// TimePtr is *t as a Timestamp, nil for nil.
func TimePtr(t *time.Time) *timestamppb.Timestamp {
	if t == nil {
		return nil
	}
	return Time(*t)
}

// PageSize is a request's page_size as the services take a limit: 0 (the
// default page) stays 0 and the services check the range.
func PageSize(n int32) int { return int(n) }
