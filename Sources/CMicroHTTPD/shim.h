#ifndef PROOFLAYER_CMICROHTTPD_SHIM_H
#define PROOFLAYER_CMICROHTTPD_SHIM_H

#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>

/*
 * MHD_start_daemon is variadic and cannot be called from Swift. This wrapper
 * fixes the option list HTTPKit needs: an already bound and listening socket
 * (so bind errors are reported precisely by the caller), a worker thread pool,
 * connection limits and timeouts, the per-connection memory pool size (which
 * bounds the request line plus headers), a URI logger that creates the
 * per-request context and the request-completed notifier that frees it.
 */
static inline struct MHD_Daemon *
prooflayer_mhd_start(unsigned int flags,
                     MHD_socket listen_fd,
                     MHD_AccessHandlerCallback handler,
                     MHD_RequestCompletedCallback completed,
                     void *(*uri_logger)(void *cls, const char *uri, struct MHD_Connection *connection),
                     void *cls,
                     unsigned int thread_pool_size,
                     unsigned int connection_limit,
                     unsigned int connection_timeout_seconds,
                     size_t connection_memory_limit)
{
    return MHD_start_daemon(flags, 0,
                            NULL, NULL,
                            handler, cls,
                            MHD_OPTION_LISTEN_SOCKET, listen_fd,
                            MHD_OPTION_THREAD_POOL_SIZE, thread_pool_size,
                            MHD_OPTION_CONNECTION_LIMIT, connection_limit,
                            MHD_OPTION_CONNECTION_TIMEOUT, connection_timeout_seconds,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, connection_memory_limit,
                            MHD_OPTION_URI_LOG_CALLBACK, uri_logger, cls,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, cls,
                            MHD_OPTION_END);
}

#endif
