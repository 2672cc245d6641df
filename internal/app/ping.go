package app

import "context"

// Ping checks that the store answers and accepts a write (GET /readyz).
func (s *Service) Ping(ctx context.Context) error { return s.store.Ping(ctx) }
