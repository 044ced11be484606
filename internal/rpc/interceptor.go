package rpc

import (
	"context"

	"connectrpc.com/connect"
)

// Interceptor maps every error a handler returns through Error, so each
// RPC answers the contract's code and details, and unclassified errors are
// logged as internal and reach the client only as "internal error".
func Interceptor() connect.Interceptor { return interceptor{} }

type interceptor struct{}

func (interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		res, err := next(ctx, req)
		if err != nil {
			return nil, Error(ctx, err)
		}
		return res, nil
	}
}

func (interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (interceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		if err := next(ctx, conn); err != nil {
			return Error(ctx, err)
		}
		return nil
	}
}
