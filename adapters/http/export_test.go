package httpapi

import "github.com/gin-gonic/gin"

// Engine is the gateway's router, for tests that add a route of their own
// behind the real middleware.
func (s *Server) Engine() *gin.Engine { return s.engine() }
