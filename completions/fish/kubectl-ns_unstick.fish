# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_ns_unstick_global_optspecs
    string join \n all fix force-finalize remove-finalizer= delete-dead-webhooks wait= kubeconfig= context= cluster= user= n/namespace= as= as-group= as-uid= request-timeout= insecure-skip-tls-verify o/output= no-headers dry-run= y/yes confirm-plan= backup-dir= concurrency= exit-code h/help V/version
end

function __fish_kubectl_ns_unstick_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubectl_ns_unstick_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubectl_ns_unstick_using_subcommand
    set -l cmd (__fish_kubectl_ns_unstick_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_needs_command" -l remove-finalizer -d 'Also remove this finalizer from leftover objects even though it is not known to be dead (repeatable)' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_needs_command" -l wait -d 'After fixing, wait until the namespace is gone (default 2m)' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_needs_command" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, which may list several files, or ~/.kube/config)' -r -F
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_needs_command" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_needs_command" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_needs_command" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_needs_command" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace)' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_needs_command" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_needs_command" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_needs_command" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_needs_command" -l request-timeout -d 'How long to wait for a single server response; 0 waits forever (e.g. 30s, 1m)' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_needs_command" -s o -l output -d 'Output format' -r -f -a "table\t''
wide\t''
json\t''
yaml\t''
name\t''"
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_needs_command" -l dry-run -d 'Only show (client) or only validate on the server (server) what the fix would do; implies --fix' -r -f -a "none\t'Change the cluster (after confirmation)'
client\t'Print the plan only; send nothing'
server\t'Send every request with dryRun=All: the server validates and admits, nothing is persisted'"
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_needs_command" -l confirm-plan -d 'Apply without asking, but only the plan whose digest was printed under it: if the plan built now differs (objects changed, appeared or went), change nothing, say what differs and exit 5; implies --fix' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_needs_command" -l backup-dir -d 'Where to save backups of changed objects (default: $XDG_STATE_HOME/firstaid/backups)' -r -F
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_needs_command" -l concurrency -d 'Maximum API requests in flight at once' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_needs_command" -l all -d 'Every object stuck Terminating in the cluster (namespaces, CRDs, any namespaced or cluster-scoped object) and objects whose namespace is gone, grouped by cause with the command for each; with --fix, fixes every Terminating namespace'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_needs_command" -l fix -d 'Fix what blocks deletion: delete unavailable APIServices (cluster-wide), remove dead finalizers from leftover objects and from the namespace'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_needs_command" -l force-finalize -d 'Last resort: finalize the namespace through PUT …/finalize even though objects may remain; they are orphaned in etcd and reappear if a namespace of the same name is created again'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_needs_command" -l delete-dead-webhooks -d 'Delete the configuration of an admission webhook that fails closed (failurePolicy Fail) while its Service is missing or has no ready endpoints, when it rejects the deletes or patches the fix needs (backed up first; every webhook of that configuration goes)'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_needs_command" -l insecure-skip-tls-verify -d 'Do not verify the server\'s certificate (insecure)'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_needs_command" -l no-headers -d 'Don\'t print headers in table output'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_needs_command" -s y -l yes -d 'Apply without asking for confirmation'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_needs_command" -l exit-code -d 'Exit 11 when the diagnosis finds something stuck (for cron jobs and alerts); 0 when nothing is'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_needs_command" -a "completion" -d 'Shell completion: print a static script, or install the dynamic completer'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_needs_command" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, which may list several files, or ~/.kube/config)' -r -F
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace)' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -l request-timeout -d 'How long to wait for a single server response; 0 waits forever (e.g. 30s, 1m)' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -l insecure-skip-tls-verify -d 'Do not verify the server\'s certificate (insecure)'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -f -a "bash" -d 'Print the bash completion script for kubectl-ns_unstick'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -f -a "zsh" -d 'Print the zsh completion script for kubectl-ns_unstick'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -f -a "fish" -d 'Print the fish completion script for kubectl-ns_unstick'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -f -a "powershell" -d 'Print the powershell completion script for kubectl-ns_unstick'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -f -a "install" -d 'Create the kubectl_complete-* executable kubectl runs for `kubectl <plugin> <TAB>`'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and not __fish_seen_subcommand_from bash zsh fish powershell install help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from bash" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, which may list several files, or ~/.kube/config)' -r -F
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from bash" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from bash" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from bash" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from bash" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace)' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from bash" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from bash" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from bash" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from bash" -l request-timeout -d 'How long to wait for a single server response; 0 waits forever (e.g. 30s, 1m)' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from bash" -l insecure-skip-tls-verify -d 'Do not verify the server\'s certificate (insecure)'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from bash" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from zsh" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, which may list several files, or ~/.kube/config)' -r -F
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from zsh" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from zsh" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from zsh" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from zsh" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace)' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from zsh" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from zsh" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from zsh" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from zsh" -l request-timeout -d 'How long to wait for a single server response; 0 waits forever (e.g. 30s, 1m)' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from zsh" -l insecure-skip-tls-verify -d 'Do not verify the server\'s certificate (insecure)'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from zsh" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from fish" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, which may list several files, or ~/.kube/config)' -r -F
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from fish" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from fish" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from fish" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from fish" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace)' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from fish" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from fish" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from fish" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from fish" -l request-timeout -d 'How long to wait for a single server response; 0 waits forever (e.g. 30s, 1m)' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from fish" -l insecure-skip-tls-verify -d 'Do not verify the server\'s certificate (insecure)'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from fish" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from powershell" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, which may list several files, or ~/.kube/config)' -r -F
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from powershell" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from powershell" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from powershell" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from powershell" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace)' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from powershell" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from powershell" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from powershell" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from powershell" -l request-timeout -d 'How long to wait for a single server response; 0 waits forever (e.g. 30s, 1m)' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from powershell" -l insecure-skip-tls-verify -d 'Do not verify the server\'s certificate (insecure)'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from powershell" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from install" -l dir -d 'Where to create it (default: next to the plugin on PATH)' -r -f -a "(__fish_complete_directories)"
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from install" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, which may list several files, or ~/.kube/config)' -r -F
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from install" -l context -d 'The name of the kubeconfig context to use' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from install" -l cluster -d 'The name of the kubeconfig cluster to use' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from install" -l user -d 'The name of the kubeconfig user to use' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from install" -s n -l namespace -d 'The namespace scope for this request (default: the context\'s namespace)' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from install" -l as -d 'Username to impersonate for the operation' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from install" -l as-group -d 'Group to impersonate for the operation (repeatable)' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from install" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from install" -l request-timeout -d 'How long to wait for a single server response; 0 waits forever (e.g. 30s, 1m)' -r
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from install" -l insecure-skip-tls-verify -d 'Do not verify the server\'s certificate (insecure)'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from install" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from help" -f -a "bash" -d 'Print the bash completion script for kubectl-ns_unstick'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from help" -f -a "zsh" -d 'Print the zsh completion script for kubectl-ns_unstick'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from help" -f -a "fish" -d 'Print the fish completion script for kubectl-ns_unstick'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from help" -f -a "powershell" -d 'Print the powershell completion script for kubectl-ns_unstick'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from help" -f -a "install" -d 'Create the kubectl_complete-* executable kubectl runs for `kubectl <plugin> <TAB>`'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand completion; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand help; and not __fish_seen_subcommand_from completion help" -f -a "completion" -d 'Shell completion: print a static script, or install the dynamic completer'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand help; and not __fish_seen_subcommand_from completion help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand help; and __fish_seen_subcommand_from completion" -f -a "bash" -d 'Print the bash completion script for kubectl-ns_unstick'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand help; and __fish_seen_subcommand_from completion" -f -a "zsh" -d 'Print the zsh completion script for kubectl-ns_unstick'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand help; and __fish_seen_subcommand_from completion" -f -a "fish" -d 'Print the fish completion script for kubectl-ns_unstick'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand help; and __fish_seen_subcommand_from completion" -f -a "powershell" -d 'Print the powershell completion script for kubectl-ns_unstick'
complete -c kubectl-ns_unstick -n "__fish_kubectl_ns_unstick_using_subcommand help; and __fish_seen_subcommand_from completion" -f -a "install" -d 'Create the kubectl_complete-* executable kubectl runs for `kubectl <plugin> <TAB>`'
