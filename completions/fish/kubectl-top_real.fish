# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_top_real_global_optspecs
    string join \n kubeconfig= context= cluster= user= n/namespace= as= as-group= as-uid= request-timeout= insecure-skip-tls-verify A/all-namespaces o/output= no-headers l/selector= sort-by= containers bars resources= h/help V/version
end

function __fish_kubectl_top_real_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubectl_top_real_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubectl_top_real_using_subcommand
    set -l cmd (__fish_kubectl_top_real_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubectl-top_real -n "__fish_kubectl_top_real_needs_command" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, which may list several files, or ~/.kube/config)' -r -F
complete -c kubectl-top_real -n "__fish_kubectl_top_real_needs_command" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_needs_command" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_needs_command" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_needs_command" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace)' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_needs_command" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_needs_command" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_needs_command" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_needs_command" -l request-timeout -d 'How long to wait for a single server response; 0 waits forever (e.g. 30s, 1m)' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_needs_command" -s o -l output -d 'Output format' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
name\t''"
complete -c kubectl-top_real -n "__fish_kubectl_top_real_needs_command" -s l -l selector -d 'Label selector (e.g. `app=web,tier!=cache`)' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_needs_command" -l sort-by -d 'Sort by a column, biggest first (see the list below); default: by name' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_needs_command" -l resources -d 'Columns for resources besides CPU and memory: a comma list (`nvidia.com/gpu,ephemeral-storage`), `all` or `none`. Default: those some node or pod has a non-zero amount of (`-o wide`: every one present). They have requests, limits and allocatable but no usage: metrics.k8s.io reports CPU and memory only' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_needs_command" -l insecure-skip-tls-verify -d 'Do not verify the server\'s certificate (insecure)'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_needs_command" -s A -l all-namespaces -d 'List across all namespaces (ignores -n)'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_needs_command" -l no-headers -d 'Don\'t print headers in table output'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_needs_command" -l containers -d 'Pods: one row per container'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_needs_command" -l bars -d 'Draw a bar next to usage percentages (for a terminal)'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_needs_command" -a "completion" -d 'Shell completion: print a static script, or install the dynamic completer'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_needs_command" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, which may list several files, or ~/.kube/config)' -r -F
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace)' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -l request-timeout -d 'How long to wait for a single server response; 0 waits forever (e.g. 30s, 1m)' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -l insecure-skip-tls-verify -d 'Do not verify the server\'s certificate (insecure)'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -f -a "bash" -d 'Print the bash completion script for kubectl-top_real'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -f -a "zsh" -d 'Print the zsh completion script for kubectl-top_real'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -f -a "fish" -d 'Print the fish completion script for kubectl-top_real'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -f -a "powershell" -d 'Print the powershell completion script for kubectl-top_real'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -f -a "install" -d 'Create the kubectl_complete-* executable kubectl runs for `kubectl <plugin> <TAB>`'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from bash" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, which may list several files, or ~/.kube/config)' -r -F
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from bash" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from bash" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from bash" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from bash" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace)' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from bash" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from bash" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from bash" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from bash" -l request-timeout -d 'How long to wait for a single server response; 0 waits forever (e.g. 30s, 1m)' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from bash" -l insecure-skip-tls-verify -d 'Do not verify the server\'s certificate (insecure)'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from bash" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from zsh" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, which may list several files, or ~/.kube/config)' -r -F
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from zsh" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from zsh" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from zsh" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from zsh" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace)' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from zsh" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from zsh" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from zsh" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from zsh" -l request-timeout -d 'How long to wait for a single server response; 0 waits forever (e.g. 30s, 1m)' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from zsh" -l insecure-skip-tls-verify -d 'Do not verify the server\'s certificate (insecure)'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from zsh" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from fish" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, which may list several files, or ~/.kube/config)' -r -F
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from fish" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from fish" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from fish" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from fish" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace)' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from fish" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from fish" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from fish" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from fish" -l request-timeout -d 'How long to wait for a single server response; 0 waits forever (e.g. 30s, 1m)' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from fish" -l insecure-skip-tls-verify -d 'Do not verify the server\'s certificate (insecure)'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from fish" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from powershell" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, which may list several files, or ~/.kube/config)' -r -F
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from powershell" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from powershell" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from powershell" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from powershell" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace)' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from powershell" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from powershell" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from powershell" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from powershell" -l request-timeout -d 'How long to wait for a single server response; 0 waits forever (e.g. 30s, 1m)' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from powershell" -l insecure-skip-tls-verify -d 'Do not verify the server\'s certificate (insecure)'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from powershell" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from install" -l dir -d 'Where to create it (default: next to the plugin on PATH)' -r -f -a "(__fish_complete_directories)"
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from install" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, which may list several files, or ~/.kube/config)' -r -F
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from install" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from install" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from install" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from install" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace)' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from install" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from install" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from install" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from install" -l request-timeout -d 'How long to wait for a single server response; 0 waits forever (e.g. 30s, 1m)' -r
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from install" -l insecure-skip-tls-verify -d 'Do not verify the server\'s certificate (insecure)'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from install" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from help" -f -a "bash" -d 'Print the bash completion script for kubectl-top_real'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from help" -f -a "zsh" -d 'Print the zsh completion script for kubectl-top_real'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from help" -f -a "fish" -d 'Print the fish completion script for kubectl-top_real'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from help" -f -a "powershell" -d 'Print the powershell completion script for kubectl-top_real'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from help" -f -a "install" -d 'Create the kubectl_complete-* executable kubectl runs for `kubectl <plugin> <TAB>`'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand completion; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand help; and not __fish_seen_subcommand_from completion help" -f -a "completion" -d 'Shell completion: print a static script, or install the dynamic completer'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand help; and not __fish_seen_subcommand_from completion help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand help; and __fish_seen_subcommand_from completion" -f -a "bash" -d 'Print the bash completion script for kubectl-top_real'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand help; and __fish_seen_subcommand_from completion" -f -a "zsh" -d 'Print the zsh completion script for kubectl-top_real'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand help; and __fish_seen_subcommand_from completion" -f -a "fish" -d 'Print the fish completion script for kubectl-top_real'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand help; and __fish_seen_subcommand_from completion" -f -a "powershell" -d 'Print the powershell completion script for kubectl-top_real'
complete -c kubectl-top_real -n "__fish_kubectl_top_real_using_subcommand help; and __fish_seen_subcommand_from completion" -f -a "install" -d 'Create the kubectl_complete-* executable kubectl runs for `kubectl <plugin> <TAB>`'
